import { existsSync } from "node:fs";
import { openLane, refreshWorks, runTrial, seededRandom, TOKEN_ENTRY, type BackendKind, type Cut, type Kill, type Lane, type TrialOutcome } from "./refresh-trials";

/**
 * Fault injection (issue 12, "Never lose a token set"): the token process is SIGKILLed at each
 * failpoint of a refresh (after the write-ahead record, after Xero's answer, after the write) and at
 * seeded random points, on both backends, with the emulator's clock then moved past Xero's 30-minute
 * grace or not; a new vend follows every kill. Each trial ends with a working token set or, only
 * when a rotation the killed process never stored was followed by the clock passing the grace, with
 * needs_consent and the `connect` instruction (refresh-trials.ts checks each). Four lanes (two per
 * backend) run side by side, each with its own emulator. Most random kills come while the emulator
 * holds back its answer after rotating the token until the process dies (fault delayAfterCommitMs):
 * such a process cannot exit before its kill, so ~200 trials make the 200 kills, and a rotation the
 * process never saw the answer to (Xero rotated, nothing stored) is hit often. The few milliseconds
 * between Xero's answer arriving and the write are reached by the unhindered random kills and, for
 * sure, by the boundary kills at refresh-answered and refresh-written. Rounds of random kills go on
 * until 200 processes really died. Replay a random run with TOKEN_FAULT_SEED=<seed>.
 */
// Rounds go on until enough kills were real, so on a loaded machine this takes minutes, not seconds.
jest.setTimeout(1_200_000);

const SEED = Number(process.env.TOKEN_FAULT_SEED ?? 20_261_202);
/** Issue 12: at least this many token processes SIGKILLed (boundary and random kills together). */
const REQUIRED_KILLS = 200;
/** Random trials are drawn in rounds of at most this many, until enough kills were real. */
const RANDOM_ROUND = 48;
/** Far beyond what is needed: nearly every kill lands (most with Xero's answer held), and only a quick unhindered run can miss one. */
const MAX_RANDOM_TRIALS = 1_200;
/**
 * Longer than any trial: Xero's answer after the rotation comes only when the process is long dead
 * (the emulator drops it when the killed process's connection closes).
 */
const HELD_ANSWER_MS = 600_000;
/** How often the clock is moved past the grace after a random kill. */
const PAST_GRACE_SHARE = 0.3;
const LANE_BACKENDS: readonly BackendKind[] = ["local", "pg", "local", "pg"];
const FAILPOINTS = ["refresh-recorded", "refresh-answered", "refresh-written"] as const;

let lanes: Lane[] = [];
beforeAll(async () => {
  if (!existsSync(TOKEN_ENTRY)) throw new Error(`${TOKEN_ENTRY} does not exist: run \`npm run build\` before these tests (npm test does)`);
  lanes = await Promise.all(LANE_BACKENDS.map((backend) => openLane(backend)));
});
afterAll(async () => {
  await Promise.all(lanes.map((lane) => lane.close()));
});

interface Planned {
  readonly kill: Kill;
  readonly pastGrace: boolean;
  readonly label: string;
}

/** Runs `plans[i]` on lane `i % lanes.length`: each lane one trial at a time, the lanes side by side. */
async function onLanes(plans: readonly Planned[]): Promise<TrialOutcome[]> {
  const outcomes: TrialOutcome[] = new Array(plans.length);
  await Promise.all(
    lanes.map(async (lane, laneIndex) => {
      for (let i = laneIndex; i < plans.length; i += lanes.length) outcomes[i] = await runTrial(lane, plans[i]!.kill, plans[i]!.pastGrace);
    }),
  );
  return outcomes;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function failures(outcomes: readonly TrialOutcome[], plans: readonly Planned[]): string[] {
  return outcomes.flatMap((outcome, index) => outcome.problems.map((problem) => `${plans[index]!.label} (${outcome.backend}): ${problem}`));
}

describe("a token process SIGKILLed in a refresh, then a new vend", () => {
  /** How long an uninterrupted run takes here now, and when its token request reaches Xero: the random kills' time scale. */
  let timing = { wallMs: 0, requestAtMs: 0 };
  const killTrials: TrialOutcome[] = [];

  /** The time scale from the reference runs (no kill, no held answer): their medians. */
  const measure = (outcomes: readonly TrialOutcome[]): void => {
    const requests = outcomes.map((outcome) => outcome.requestAtMs).filter((at): at is number => at !== undefined);
    // Medians: a kill drawn past the run's exit lands on nothing, and the slowest run on a loaded
    // machine would put most kills there.
    timing = { wallMs: median(outcomes.map((outcome) => outcome.wallMs)), requestAtMs: requests.length === 0 ? 0 : median(requests) };
  };

  it("ends with a working token set when nothing kills it, the clock moved past the grace or not (the reference)", async () => {
    // One run per lane: lanes 0 and 1 (local, pg) within the grace, lanes 2 and 3 (local, pg) past it.
    const plans: Planned[] = lanes.map((_, i) => {
      const pastGrace = i >= lanes.length / 2;
      return { kill: {}, pastGrace, label: `reference ${i}${pastGrace ? " past the grace" : ""}` };
    });
    const outcomes = await onLanes(plans);
    measure(outcomes);
    expect(failures(outcomes, plans)).toEqual([]);
    expect(outcomes.map((outcome) => [outcome.signal, outcome.cut, outcome.end])).toEqual(outcomes.map(() => [null, "written", "working"]));
    expect(new Set(outcomes.map((outcome) => `${outcome.backend} ${outcome.pastGrace}`)).size).toBe(4);
  });

  const boundary: Planned[] = FAILPOINTS.flatMap((failpoint) =>
    [false, true].flatMap((pastGrace) =>
      // Twice each: lanes 0 and 2 are local, 1 and 3 pg, so each pair lands on both backends.
      [0, 1].map((copy) => ({ kill: { failpoint }, pastGrace, label: `killed at ${failpoint}${pastGrace ? ", clock past the grace" : ""} #${copy}` })),
    ),
  );

  it(`ends working after a kill at each failpoint on both backends, and needs_consent only for a rotation lost past the grace (${boundary.length} kills)`, async () => {
    const outcomes = await onLanes(boundary);
    killTrials.push(...outcomes);
    expect(failures(outcomes, boundary)).toEqual([]);
    const ends = outcomes.map((outcome, i) => `${boundary[i]!.label} on ${outcome.backend}: ${outcome.end}`);
    const expected = boundary.map((plan, i) => `${plan.label} on ${outcomes[i]!.backend}: ${plan.kill.failpoint === "refresh-answered" && plan.pastGrace ? "needs_consent" : "working"}`);
    expect(ends).toEqual(expected);
    expect(new Set(outcomes.map((outcome) => outcome.backend))).toEqual(new Set(["local", "pg"]));
  });

  it(`ends working, or needs_consent only past the grace after a lost rotation, after kills at seeded random points drawn until ${REQUIRED_KILLS} processes really died (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const problems: string[] = [];
    const killed = (): number => killTrials.filter((outcome) => outcome.signal === "SIGKILL").length;
    // Rounds go on until enough kills were real, each no bigger than the kills still missing (nearly
    // every kill lands, so ~200 trials make 200 kills); a kill that came after the process had exited
    // is made up for by the next round.
    // The time scale comes from the reference runs alone: a random round's runs that ended by
    // themselves are the ones quicker than their kill, so they would only ever shrink it.
    if (timing.wallMs === 0) throw new Error("no time scale for the random kills: run the reference test first (it is this file's first)");
    for (let drawn = 0; killed() < REQUIRED_KILLS && drawn < MAX_RANDOM_TRIALS; ) {
      const size = Math.min(RANDOM_ROUND, Math.ceil((REQUIRED_KILLS - killed()) / lanes.length) * lanes.length);
      // Three kinds of kill, all at seeded random times:
      // - half over a run's whole life (start-up included: a crash can come at any instruction) to a
      //   little past its token request, and 35 % from shortly before the request to the same end,
      //   both with Xero's answer held back after the rotation until the process dies: it cannot
      //   exit before its kill, so every one of these kills lands, before the write-ahead record,
      //   after it, or after Xero rotated the token (the answer never arrives);
      // - 15 % over the refresh running unhindered, from shortly before its token request to near its
      //   exit, where Xero's answer is written: a kill drawn after a quick run's exit misses, and
      //   later rounds make up for it.
      const { wallMs, requestAtMs } = timing;
      const windowStart = Math.max(0, requestAtMs - 0.15 * wallMs);
      const heldEnd = requestAtMs + 0.25 * wallMs;
      const plans: Planned[] = Array.from({ length: size }, (_, index) => {
        const draw = random();
        const held = draw < 0.85;
        const from = draw < 0.5 ? 0 : windowStart;
        const to = held ? heldEnd : 0.9 * wallMs;
        const afterMs = Math.round(from + random() * (to - from));
        const pastGrace = random() < PAST_GRACE_SHARE;
        const kill: Kill = held ? { afterMs, slowAnswerMs: HELD_ANSWER_MS } : { afterMs };
        const label = `trial ${drawn + index} killed after ${afterMs} ms${held ? ", Xero's answer held after the rotation" : ""}${pastGrace ? ", clock past the grace" : ""}`;
        return { kill, pastGrace, label };
      });
      const outcomes = await onLanes(plans);
      killTrials.push(...outcomes);
      problems.push(...failures(outcomes, plans));
      drawn += size;
    }
    expect(problems).toEqual([]);
  });

  it("leaves every lane with a token set that refreshes after its last trial", async () => {
    const problems = await Promise.all(lanes.map(async (lane) => (await refreshWorks(lane)).map((problem) => `${lane.backend}: ${problem}`)));
    expect(problems.flat()).toEqual([]);
  });

  it(`really SIGKILLed at least ${REQUIRED_KILLS} token processes in this run (a kill that came after the exit does not count)`, () => {
    const killedTrials = killTrials.filter((outcome) => outcome.signal === "SIGKILL");
    const count = (predicate: (outcome: TrialOutcome) => boolean): number => killedTrials.filter(predicate).length;
    const cuts: Cut[] = ["before-record", "recorded", "rotated", "written"];
    const byBackend = (backend: BackendKind): number => count((outcome) => outcome.backend === backend);
    process.stdout.write(
      [
        `token refresh fault injection: ${killedTrials.length} of ${killTrials.length} trials SIGKILLed (local ${byBackend("local")}, pg ${byBackend("pg")})`,
        `  cut ${cuts.map((cut) => `${cut} ${count((outcome) => outcome.cut === cut)}`).join(", ")}`,
        `  Xero's answer held after the rotation in ${count((outcome) => outcome.slowAnswerMs !== undefined)} kills`,
        `  clock past the grace after ${count((outcome) => outcome.pastGrace)} kills: ${count((outcome) => outcome.pastGrace && outcome.end === "needs_consent")} needs_consent (each after a lost rotation), ${count((outcome) => outcome.pastGrace && outcome.end === "working")} working`,
        `  within the grace: ${count((outcome) => !outcome.pastGrace && outcome.end === "working")} of ${count((outcome) => !outcome.pastGrace)} working`,
        "",
      ].join("\n"),
    );
    expect(killedTrials.length).toBeGreaterThanOrEqual(REQUIRED_KILLS);
    expect(count((outcome) => outcome.end === "broken")).toBe(0);
  });
});
