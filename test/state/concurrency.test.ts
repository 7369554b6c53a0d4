import { compileWorkers, spawnWorker, waitForExit, waitForLine, type WorkerResult } from "./support/compile";
import { fixtureFor, type BackendFixture } from "./support/fixtures";

/**
 * Every worker opens its backend and says "ready"; only when all of them have does the test let them
 * start (their stdin ends), so the increments race each other however slowly the processes started
 * on a loaded machine. The compare-and-swap race proves it really raced: the workers saw conflicts.
 */
const PROCESSES = 8;
const INCREMENTS = 25;

let workers: string;
beforeAll(async () => {
  workers = await compileWorkers();
});

describe.each(["local", "pg"] as const)("concurrent writers (%s)", (kind) => {
  let fixture: BackendFixture;
  beforeAll(async () => {
    fixture = await fixtureFor(kind, "concurrency");
    // Opening once creates the pg schema, so the race below is about documents, not migrations.
    await (await fixture.open()).list();
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  it(`loses no increment when ${PROCESSES} processes make ${INCREMENTS} compare-and-swap increments each on one document`, async () => {
    const name = "race/Counter";
    const results = await startTogether(fixture, "cas", name);
    expect(results.map((result) => [result.code, result.stderr])).toEqual(Array.from({ length: PROCESSES }, () => [0, ""]));
    const conflicts = results.map((result) => Number(/conflicts (\d+)/.exec(result.stdout)?.[1] ?? NaN));
    expect(conflicts.every((count) => Number.isInteger(count))).toBe(true);
    expect(conflicts.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    const backend = await fixture.open();
    const stored = await backend.read(name);
    expect(stored?.serial).toBe(PROCESSES * INCREMENTS);
    expect(stored?.values.count).toBe(PROCESSES * INCREMENTS);
    const history = await backend.history(name);
    expect(history).toHaveLength(PROCESSES * INCREMENTS);
    expect(history.map((entry) => entry.serialAfter)).toEqual(Array.from({ length: PROCESSES * INCREMENTS }, (_, i) => i + 1));
  });
});

describe.each(["local", "pg"] as const)("concurrent locked updates (%s)", (kind) => {
  let fixture: BackendFixture;
  beforeAll(async () => {
    fixture = await fixtureFor(kind, "concurrency_locked");
    await (await fixture.open()).list();
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  it(`serializes ${PROCESSES} processes making ${INCREMENTS} locked updates each, so none ever conflicts`, async () => {
    const name = "race/Locked";
    const results = await startTogether(fixture, "update", name);
    // maxAttempts 1: a single conflict would fail the worker, so exit code 0 everywhere means the lock held.
    expect(results.map((result) => [result.code, result.stderr, result.stdout])).toEqual(
      Array.from({ length: PROCESSES }, () => [0, "", "ready\nconflicts 0\n"]),
    );
    const stored = await (await fixture.open()).read(name);
    expect(stored?.serial).toBe(PROCESSES * INCREMENTS);
    expect(stored?.values.count).toBe(PROCESSES * INCREMENTS);
  });
});

/** Starts PROCESSES workers, waits until each is ready, then lets them all go at once; resolves when all exited. */
async function startTogether(fixture: BackendFixture, mode: "cas" | "update", name: string): Promise<WorkerResult[]> {
  const children = Array.from({ length: PROCESSES }, () =>
    spawnWorker(workers, "cas-worker", [mode, JSON.stringify(fixture.address), name, String(INCREMENTS)], fixture.env, { stdin: "pipe" }),
  );
  const exits = children.map((child) => waitForExit(child));
  try {
    await Promise.all(children.map((child) => waitForLine(child, /^ready$/)));
  } catch (error) {
    for (const child of children) child.kill();
    throw error;
  }
  for (const child of children) child.stdin?.end();
  return Promise.all(exits);
}
