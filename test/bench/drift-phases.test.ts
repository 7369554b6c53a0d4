import { driftRunPhases } from "../../bench/drift";

/** The drift benchmark splits each run's wall time at the first call and the last answer the emulator logged. */
describe("the drift benchmark's phase breakdown", () => {
  it("splits a run at the first call's arrival (its answer less the latency) and the last answer", () => {
    const run = { spawnedAtMs: 10_000, wallMs: 2_000 };
    expect(driftRunPhases(run, [10_700, 10_450, 11_800], 50)).toEqual({ toFirstCallMs: 400, callsMs: 1_400, afterLastAnswerMs: 200 });
  });

  it("puts the whole run before the first call when Xero saw none", () => {
    expect(driftRunPhases({ spawnedAtMs: 0, wallMs: 900 }, [], 50)).toEqual({ toFirstCallMs: 900, callsMs: 0, afterLastAnswerMs: 0 });
  });
});
