import { compileWorkers, spawnWorker, waitForExit } from "./support/compile";
import { fixtureFor, type BackendFixture } from "./support/fixtures";

const PROCESSES = 8;
const INCREMENTS = 50;

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

  const race = (mode: "cas" | "update", name: string) =>
    Promise.all(
      Array.from({ length: PROCESSES }, () =>
        waitForExit(spawnWorker(workers, "cas-worker", [mode, JSON.stringify(fixture.address), name, String(INCREMENTS)], fixture.env)),
      ),
    );

  it(`loses no increment when ${PROCESSES} processes make ${INCREMENTS} compare-and-swap increments each on one document`, async () => {
    const name = "race/Counter";
    const results = await race("cas", name);
    expect(results.map((result) => [result.code, result.stderr])).toEqual(Array.from({ length: PROCESSES }, () => [0, ""]));
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
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        waitForExit(spawnWorker(workers, "cas-worker", ["update", JSON.stringify(fixture.address), name, String(INCREMENTS)], fixture.env)),
      ),
    );
    // maxAttempts 1: a single conflict would fail the worker, so exit code 0 everywhere means the lock held.
    expect(results.map((result) => [result.code, result.stderr, result.stdout])).toEqual(
      Array.from({ length: PROCESSES }, () => [0, "", "conflicts 0\n"]),
    );
    const stored = await (await fixture.open()).read(name);
    expect(stored?.serial).toBe(PROCESSES * INCREMENTS);
    expect(stored?.values.count).toBe(PROCESSES * INCREMENTS);
  });
});
