// A jest worker that has nothing left open ends through process.exit: see
// test/quick-exit-node-environment.js for why. Plain JavaScript: jest loads it, untransformed, with
// the suites' environment.

/**
 * Whether `proc` is a jest worker: a child process jest talks to over an IPC channel. In band (one
 * worker, or --detectOpenHandles) the suites run in jest's own process, which must end as jest decides.
 */
function isJestWorkerProcess(proc) {
  return typeof proc.send === "function" && proc.env.JEST_WORKER_ID !== undefined;
}

/**
 * In a jest worker, ends the process through process.exit when its event loop has nothing left that
 * keeps it alive ('beforeExit'); returns whether it installed that now (once per process).
 */
function exitQuicklyWhenIdle(proc) {
  if (!isJestWorkerProcess(proc) || proc.listeners("beforeExit").includes(exitNow)) return false;
  proc.once("beforeExit", exitNow);
  return true;
}

function exitNow() {
  // With process.exitCode, as a natural exit would have ended.
  process.exit();
}

module.exports = { isJestWorkerProcess, exitQuicklyWhenIdle };
