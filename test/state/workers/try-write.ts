import { CdktfXeroError } from "../../../providers/errors";
import { openStateBackend } from "../../../providers/state";
import type { StateBackendAddress } from "../../../contract/state-address";

/**
 * Permission worker: reads, then writes, one document; prints `{read, write}` with each outcome
 * (`ok` or the error's code and message) as JSON. Run as another user to meet a directory it cannot use.
 * Usage: try-write <address JSON> <document>
 */
async function outcome(action: () => Promise<unknown>): Promise<{ code: string; message: string } | "ok"> {
  try {
    await action();
    return "ok";
  } catch (error) {
    if (error instanceof CdktfXeroError) return { code: error.code, message: error.message };
    throw error;
  }
}

async function main(): Promise<void> {
  const [addressJson, name] = process.argv.slice(2);
  if (addressJson === undefined || name === undefined) throw new Error("usage: try-write <address> <name>");
  const backend = await openStateBackend(JSON.parse(addressJson) as StateBackendAddress);
  const read = await outcome(() => backend.read(name));
  const write = await outcome(() => backend.write(name, 1, { tenant_id: "intruder" }));
  process.stdout.write(`${JSON.stringify({ read, write })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
