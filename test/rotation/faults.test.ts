import { existsSync } from "node:fs";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { CLI, inBatches, REACHED, removeTemplates, runTrial, SCENARIOS, seededRandom, type Kill, type Scenario, type TrialOutcome } from "./trials";

/**
 * Fault injection (issue 5): the compiled `hook apply` of a rotation is SIGKILLed at every step
 * boundary (CDKTF_XERO_FAILPOINT=<failpoint>:kill) and at seeded random points, in every scenario and
 * for both app kinds, then run again. Each trial checks the state the kill left (no secret lost,
 * CURRENT never a secret that failed its test) and the end state after the re-run (exactly where an
 * uninterrupted run ends, every step in the history). Trials run four at a time; each has its own
 * state directory, a copy of its scenario's premise made once per scenario and app kind (trials.ts).
 * Replay a random run with ROTATION_FAULT_SEED=<seed>.
 */
// Rounds go on until enough kills were real, so on a loaded machine this takes minutes, not seconds.
jest.setTimeout(1_200_000);

const SEED = Number(process.env.ROTATION_FAULT_SEED ?? 20_260_501);
/** Issue 5: at least this many hook processes SIGKILLed (boundary and random kills together). */
const REQUIRED_KILLS = 200;
/** Random trials are drawn in rounds of at most this many, until enough kills were real. */
const RANDOM_ROUND = 60;
/**
 * Far beyond what is needed: only a kill drawn after its run's exit misses (a run quicker than the
 * reference runs), and the rounds go on until 200 landed (a fixed number of trials once failed at
 * 186 and 196 of 200 on a loaded machine).
 */
const MAX_RANDOM_TRIALS = 1_200;
const PARALLEL = 4;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
const KINDS = ["custom_connection", "web"] as const;

let emulator: RunningEmulator;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
  emulator = await startEmulator({});
});
afterAll(async () => {
  if (emulator !== undefined) await removeTemplates(emulator);
  await emulator?.close();
});

function failures(outcomes: readonly TrialOutcome[], labels: readonly string[]): string[] {
  return outcomes.flatMap((outcome, index) => outcome.problems.map((problem) => `${labels[index]}: ${problem}`));
}

const boundaryTrials = SCENARIOS.flatMap((scenario) =>
  KINDS.flatMap((kind) => REACHED[scenario].map((failpoint) => ({ scenario, kind, kill: { failpoint } as Kill }))),
);

describe("a rotation hook SIGKILLed, then run again", () => {
  /** How long an uninterrupted run takes here now (the reference runs' median): the random kills' time scale. */
  let uninterruptedMs = 0;
  /** Every trial that was meant to be killed, to count the kills that really happened. */
  const killTrials: TrialOutcome[] = [];

  it("ends where an uninterrupted run ends when nothing kills it (the reference)", async () => {
    const outcomes = await inBatches(
      SCENARIOS.flatMap((scenario) => KINDS.map((kind) => () => runTrial(emulator, scenario, kind, {}))),
      PARALLEL,
    );
    expect(failures(outcomes, SCENARIOS.flatMap((s) => KINDS.map((k) => `${s}/${k}`)))).toEqual([]);
    expect(outcomes.map((outcome) => outcome.signal)).toEqual(outcomes.map(() => null));
    // A median, not the slowest: a kill drawn past a run's exit lands on nothing, and the slowest run
    // on a loaded machine would put many kills there.
    uninterruptedMs = median(outcomes.map((outcome) => outcome.wallMs));
  });

  it(`loses no secret and ends as uninterrupted after a kill at each of the ${boundaryTrials.length} step boundaries of every scenario and app kind`, async () => {
    const outcomes = await inBatches(
      boundaryTrials.map(({ scenario, kind, kill }) => () => runTrial(emulator, scenario, kind, kill)),
      PARALLEL,
    );
    killTrials.push(...outcomes);
    expect(failures(outcomes, boundaryTrials.map(({ scenario, kind, kill }) => `${scenario}/${kind} killed at ${kill.failpoint}`))).toEqual([]);
  });

  it(`loses no secret and ends as uninterrupted after kills at seeded random points, drawn until ${REQUIRED_KILLS} hook processes really died (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const problems: string[] = [];
    const killed = (): number => killTrials.filter((outcome) => outcome.signal === "SIGKILL").length;
    // The time scale comes from the reference runs alone: a random round's runs that ended by
    // themselves are the ones quicker than their kill, so they would only ever shrink it.
    if (uninterruptedMs === 0) throw new Error("no time scale for the random kills: run the reference test first (it is this file's first)");
    // Rounds go on until enough kills were real, each no bigger than the kills still missing (nearly
    // every kill lands, so ~200 trials make 200 kills); a kill that came after the hook had exited
    // (its run was quicker than the time scale) is made up for by the next round.
    for (let drawn = 0; killed() < REQUIRED_KILLS && drawn < MAX_RANDOM_TRIALS; ) {
      const size = Math.min(RANDOM_ROUND, Math.ceil((REQUIRED_KILLS - killed()) / PARALLEL) * PARALLEL);
      const trials = Array.from({ length: size }, (_, index) => ({
        scenario: SCENARIOS[Math.floor(random() * SCENARIOS.length)] as Scenario,
        kind: KINDS[(drawn + index) % KINDS.length]!,
        // Spread over a run's whole life, start-up included: a crash can come at any instruction.
        kill: { afterMs: Math.round(random() * uninterruptedMs * 0.9) } as Kill,
      }));
      const outcomes = await inBatches(
        trials.map(({ scenario, kind, kill }) => () => runTrial(emulator, scenario, kind, kill)),
        PARALLEL,
      );
      killTrials.push(...outcomes);
      problems.push(...failures(outcomes, trials.map(({ scenario, kind, kill }, i) => `trial ${drawn + i} ${scenario}/${kind} killed after ${kill.afterMs} ms`)));
      drawn += size;
    }
    expect(problems).toEqual([]);
  });

  it(`really SIGKILLed at least ${REQUIRED_KILLS} hook processes in this run (a kill that came after the exit does not count)`, () => {
    const killed = killTrials.filter((outcome) => outcome.signal === "SIGKILL").length;
    process.stdout.write(`rotation fault injection: ${killed} of ${killTrials.length} trials SIGKILLed\n`);
    expect(killed).toBeGreaterThanOrEqual(REQUIRED_KILLS);
  });
});
