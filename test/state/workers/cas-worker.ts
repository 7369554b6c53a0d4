import { StateConflictError, openStateBackend } from "../../../providers/state";
import type { StateBackendAddress } from "../../../contract/state-address";

/**
 * Concurrency worker: `increments` increments of `count` on one document. Mode `cas`: a bare
 * read + compare-and-swap write, re-read and retry on conflict. Mode `update`: `StateBackend.update`
 * (read-modify-write under the document lock). Prints "ready" once its backend is open, starts only
 * when its stdin ends (so the test starts every worker's increments together, however long each took
 * to start), and prints the conflicts seen.
 * Usage: cas-worker <cas|update> <address JSON> <document> <increments>
 */
/**
 * Eight workers take one lock hundreds of times between them: under a CPU hog a worker can wait minutes
 * for its turn. The test is about serialization, not about how long a turn takes.
 */
const LOCK_WAIT_MS = 15 * 60_000;

async function main(): Promise<void> {
  const [mode, addressJson, name, incrementsText] = process.argv.slice(2);
  if (addressJson === undefined || name === undefined || incrementsText === undefined) throw new Error("usage: cas-worker <mode> <address> <name> <n>");
  const backend = await openStateBackend(JSON.parse(addressJson) as StateBackendAddress);
  // Connected (pg) and loaded before the start, so the race is between increments, not start-ups.
  await backend.list();
  process.stdout.write("ready\n");
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  let conflicts = 0;
  try {
    if (mode === "update") {
      for (let done = 0; done < Number(incrementsText); done += 1) {
        await backend.update(name, (current) => ({ count: Number(current?.values.count ?? 0) + 1 }), { maxAttempts: 1, timeoutMs: LOCK_WAIT_MS });
      }
    }
    for (let done = 0; mode === "cas" && done < Number(incrementsText); ) {
      const current = await backend.read(name);
      try {
        await backend.write(name, current?.serial, { count: Number(current?.values.count ?? 0) + 1 });
        done += 1;
      } catch (error) {
        if (!(error instanceof StateConflictError)) throw error;
        conflicts += 1;
      }
    }
  } finally {
    await backend.close();
  }
  process.stdout.write(`conflicts ${conflicts}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
