/**
 * Removes a directory when the process that started this one ends, however it ends.
 *
 *   node dist/scripts/remove-dir-on-parent-exit.js <dir>
 *
 * It waits for its standard input to close, which happens on a normal exit, a failed run, Ctrl-C and
 * SIGKILL alike. jest's global setup starts one for the run's in-memory temp directory
 * (test/support/memory-temp-dir.ts): files left there after an interrupted run would hold memory
 * until the machine restarts. The throwaway PostgreSQL's supervisor does the same for its server.
 *
 * A parent that ends normally writes `done` first: nothing of its own runs any more, so one removal
 * is enough. Without it the parent died, and processes it had started (a Terraform, an `npm ci`, a
 * hook) may live on for a while and create their directories again: the directory is then removed
 * again whenever it shows up, for LINGER_MS.
 */
import { existsSync, rmSync } from "node:fs";

const LINGER_MS = 60_000;
const LINGER_POLL_MS = 500;

function main(): void {
  const [dir] = process.argv.slice(2);
  if (dir === undefined || dir === "") throw new Error("usage: remove-dir-on-parent-exit <dir>");
  let told = "";
  let ending = false;
  const remove = (): void => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A process still writing there made a removal fail half way: the next poll tries again.
    }
  };
  const end = (): void => {
    if (ending) return;
    ending = true;
    remove();
    if (told.trim() === "done") process.exit(0);
    const until = Date.now() + LINGER_MS;
    const poll = setInterval(() => {
      if (existsSync(dir)) remove();
      if (Date.now() >= until) {
        clearInterval(poll);
        process.exit(0);
      }
    }, LINGER_POLL_MS);
  };
  // Asked to stop: remove first rather than die with the files left (a second time: stop lingering).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (!ending) return end();
      remove();
      process.exit(0);
    });
  }
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => (told += chunk));
  process.stdin.on("end", end);
  process.stdin.on("close", end);
  process.stdin.on("error", end);
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`remove-dir-on-parent-exit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
