/**
 * The order jest starts suites in (test/longest-first-sequencer.js): longest first, so the two
 * workers run out of work together and `npm test` keeps to its time budget.
 */
import { join } from "node:path";

const LongestFirstSequencer = require("../longest-first-sequencer.js") as new () => {
  sort(tests: FakeTest[]): FakeTest[];
  _cache: Map<unknown, Record<string, [number, number]>>;
};

interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { rootDir: string; cache: boolean }; hasteFS: { getSize(path: string): number } };
}

const ROOT = "/checkout";

function suites(files: Record<string, number>, context?: FakeTest["context"]): FakeTest[] {
  const shared = context ?? { config: { rootDir: ROOT, cache: false }, hasteFS: { getSize: (path: string) => files[path.slice(ROOT.length + 1)] ?? 0 } };
  return Object.keys(files).map((file) => ({ path: join(ROOT, file), context: shared }));
}

const order = (tests: FakeTest[]): string[] => tests.map((test) => test.path.slice(ROOT.length + 1));

test("on a fresh clone, with no recorded times, starts the suites measured slowest first, then the rest by file size", () => {
  const sorted = new LongestFirstSequencer().sort(
    suites({ "test/small.test.ts": 100, "test/rotation/faults.test.ts": 50, "test/big.test.ts": 9_000, "test/e2e/package.test.ts": 10 }),
  );
  expect(order(sorted)).toEqual(["test/e2e/package.test.ts", "test/rotation/faults.test.ts", "test/big.test.ts", "test/small.test.ts"]);
});

test("prefers the times jest recorded in an earlier run on this machine to the measured table", () => {
  const tests = suites({ "test/e2e/package.test.ts": 10, "test/quick.test.ts": 10, "test/grown.test.ts": 10 });
  const sequencer = new LongestFirstSequencer();
  sequencer._cache.set(tests[0]!.context, {
    [join(ROOT, "test/e2e/package.test.ts")]: [0, 40_000],
    [join(ROOT, "test/quick.test.ts")]: [0, 500],
    [join(ROOT, "test/grown.test.ts")]: [0, 200_000],
  });
  const sorted = sequencer.sort(tests);
  expect(order(sorted)).toEqual(["test/grown.test.ts", "test/e2e/package.test.ts", "test/quick.test.ts"]);
  expect(sorted.map((test) => test.duration)).toEqual([200_000, 40_000, 500]);
});
