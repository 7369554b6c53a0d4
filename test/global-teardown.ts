/**
 * Once per `npm test` run, after every suite, passed or failed: stops the throwaway PostgreSQL, then
 * fails the run if any test wrote into the checkout (tests write only to temp directories).
 */
import { checkoutFingerprint, describeCheckoutChanges } from "./support/checkout";
import type { TestRunGlobals } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as TestRunGlobals;
  const supervisor = globals.postgresSupervisor;
  if (supervisor !== undefined && supervisor.exitCode === null) {
    const exited = new Promise((resolve) => supervisor.once("exit", resolve));
    supervisor.stdin?.end();
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
