import { openStateBackend } from "../../../providers/state";
import type { StateBackendAddress } from "../../../contract/state-address";

/**
 * Crash worker: rewrites one document as fast as it can until killed. Each document carries a large
 * payload derived from its count, so a torn write is detectable. Prints "writing" once started and
 * "wrote" once its first write is complete, so a test can kill it knowing it got that far.
 * Usage: crash-writer <address JSON> <document>
 */
export function payloadFor(count: number): string {
  return `${count};`.repeat(8192);
}

async function main(): Promise<void> {
  const [addressJson, name] = process.argv.slice(2);
  if (addressJson === undefined || name === undefined) throw new Error("usage: crash-writer <address> <name>");
  const backend = await openStateBackend(JSON.parse(addressJson) as StateBackendAddress);
  process.stdout.write("writing\n");
  for (let first = true; ; first = false) {
    await backend.update(name, (current) => {
      const count = Number(current?.values.count ?? 0) + 1;
      return { count, payload: payloadFor(count) };
    });
    if (first) process.stdout.write("wrote\n");
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  });
}
