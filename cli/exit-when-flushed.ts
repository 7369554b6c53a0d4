/**
 * Ends the process with `code` once stdout and stderr have handed everything written to them to the
 * OS. A process that ends by its event loop running dry first frees its whole heap, which after a
 * drift run over hundreds of documents takes tens of milliseconds; `process.exit` skips that. Writes
 * to a pipe can still be queued in Node (asynchronous pipes on macOS), so the exit waits for them.
 */
export function exitWhenFlushed(code: number, streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  process.exitCode = code;
  let pending = streams.filter((stream) => stream.writableLength > 0).length;
  if (pending === 0) {
    process.exit(code);
    return;
  }
  for (const stream of streams) {
    if (stream.writableLength === 0) continue;
    // A write's callback comes once it, and so every write before it, has left the process.
    stream.write("", () => {
      pending -= 1;
      if (pending === 0) process.exit(code);
    });
  }
}
