import { openStateBackend } from "../../../providers/state";
import type { StateBackendAddress } from "../../../contract/state-address";

/**
 * Lock worker: takes the document's lock, prints "locked", and holds it until killed.
 * Usage: hold-lock <address JSON> <document>
 */
async function main(): Promise<void> {
  const [addressJson, name] = process.argv.slice(2);
  if (addressJson === undefined || name === undefined) throw new Error("usage: hold-lock <address> <name>");
  const backend = await openStateBackend(JSON.parse(addressJson) as StateBackendAddress);
  await backend.withLock(name, async () => {
    process.stdout.write(`locked ${process.pid}\n`);
    await new Promise(() => setInterval(() => undefined, 1 << 30));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
