/**
 * Once per `npm test` run, after every suite, passed or failed: stops the throwaway PostgreSQL,
 * removes the in-memory temp directory, then fails the run if any test wrote into the checkout
 * (tests write only to temp directories).
 */
import { checkoutFingerprint, describeCheckoutChanges } from "./support/checkout";
import type { TestRunGlobals } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as TestRunGlobals;
  for (const child of [globals.postgresSupervisor, globals.tempDirRemover]) {
    if (child === undefined || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Every suite has ended, and with it everything the suites started: one removal is enough.
    if (child === globals.tempDirRemover) child.stdin?.end("done\n");
    else child.stdin?.end();
    await exited;
  }
  if (globals.checkoutBefore !== undefined) {
    const changes = describeCheckoutChanges(globals.checkoutBefore, checkoutFingerprint());
    if (changes.length > 0) {
      throw new Error(
        `tests wrote into the checkout (they must write only to temp directories):\n  ${changes.join("\n  ")}\n` +
          "(files you edited yourself while the tests ran show up here too: run again to tell)",
      );
    }
  }
}
