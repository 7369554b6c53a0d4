// Starts the longest suites first, so jest's two workers run out of work at about the same time
// (longest-processing-time-first): a minute-long suite that starts last keeps one worker busy
// while the other idles, and `npm test` has a time budget (issue 8).
//
// A suite's length is what jest recorded for it in an earlier run on this machine (its cache). On
// a fresh clone there is none, and jest's own order (by file size) would start the package
// install test, the slowest by far, somewhere in the middle; KNOWN_SECONDS below stands in. It
// only orders suites, so a stale number costs some balance at the end of the run, never a result:
// refresh it from the slowest-suites list the summary reporter prints.
const Sequencer = require("@jest/test-sequencer").default;
const path = require("node:path");

/**
 * Seconds each suite took on an idle 2-core machine (`npm test`, summary reporter), longest first:
 * the idle figures measured before the end-to-end suites' CPU cut (session 6), the suites of
 * test/e2e/ scaled by their measured CPU after/before (user+sys: package 0.98, drift 0.85, deploy
 * 0.81, rotation 0.87, connection 0.97), then again after session 7's (package 0.87: one build of
 * the fresh checkout instead of two; drift 0.97: four processes fewer).
 */
const KNOWN_SECONDS = {
  "test/e2e/package.test.ts": 135,
  "test/tokens/refresh-faults.test.ts": 104,
  "test/e2e/drift.test.ts": 84,
  "test/rotation/faults.test.ts": 62,
  "test/e2e/deploy.test.ts": 49,
  "test/e2e/rotation.test.ts": 45,
  "test/state/concurrency.test.ts": 44,
  "test/e2e/connection.test.ts": 22,
};

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    // jest reads this back for its time estimate and for deciding whether to run in band.
    for (const test of tests) test.duration = this.time(test);
    const seconds = (test) => {
      // What jest recorded (milliseconds) when there is a record; the measured table otherwise.
      if (test.duration !== undefined && test.duration !== null) return test.duration / 1000;
      const file = path.relative(test.context.config.rootDir, test.path).split(path.sep).join("/");
      return KNOWN_SECONDS[file] ?? 0;
    };
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    // Unknown suites after known ones, the bigger file first (jest's guess when it has nothing else).
    return [...tests].sort((a, b) => seconds(b) - seconds(a) || size(b) - size(a));
  }
}

module.exports = LongestFirstSequencer;
