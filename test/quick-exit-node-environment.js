// jest's node environment, plus one thing for the worker processes that run it: a worker whose work
// is done and that has nothing left open ends through process.exit, not through Node's natural exit.
//
// Why: jest (29) gives a worker 500 ms from its "end" message to exit, then kills it and prints "A
// worker process has failed to exit gracefully ... tests leaking due to improper teardown". A worker
// that has run dozens of suites holds a V8 heap of 100-500 MB, and Node's natural exit tears that
// heap down page by page (Heap::TearDown: an munmap or mprotect, with its TLB shootdown, per 256 KB
// page) before the process ends. On the 2-core machine shared by several agents that took 450-800 ms
// (strace and perf of the workers), although each worker's event loop was empty 1-10 ms after "end":
// no socket, server, timer or child left. process.exit leaves the heap to the kernel, which frees it
// whole: the same workers ended 120-230 ms after "end".
//
// A leak is still a leak: 'beforeExit' is emitted only when the event loop has nothing left that
// keeps it alive, so a worker holding a server, socket, timer or child open never gets there, and
// jest still kills it and says so. jest made the 500 ms configurable in 30.4
// (workerGracefulExitTimeout); this project is on 29.
const { TestEnvironment } = require("jest-environment-node");
const { exitQuicklyWhenIdle } = require("./support/worker-quick-exit");

exitQuicklyWhenIdle(process);

/** The suites' environment: jest's node environment; what this module adds is per process, above. */
class QuickExitNodeEnvironment extends TestEnvironment {}

module.exports = QuickExitNodeEnvironment;
