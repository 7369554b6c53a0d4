import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";
import { ManualClock } from "../../providers/clock";
import { runHook } from "../../providers/lifecycle";
import type { RotationFailpoint } from "../../providers/lifecycle/rotation/failpoints";
import type { StateBackend } from "../../providers/state";
import type { RotatedAppKind, SecretRotationSpec } from "../../contract/rotation";
import { emulatorEnv, hookVariables, openWorkspaceBackend, TEST_STATE_KEY, workspace, type Workspace } from "../lifecycle/support";
import { expectStaged, generateSecret, registeredApp, SECRET_ENV, viewRotation, type RegisteredApp, type RotationView } from "./support";

/**
 * One fault-injection trial: set a rotation scenario up, run the hook as Terraform does (the launcher) in a child process
 * that is SIGKILLed (at a failpoint, or after a random delay), check the state it left, run the hook
 * again to completion, and check the end state against what an uninterrupted run reaches.
 */

/** What Terraform's provisioners run: the hook launcher, which starts the bundled CLI (cli/hook-launcher.ts). */
export const CLI = path.resolve(__dirname, "../../dist/cli/hook-launcher.js");

/**
 * - bootstrap: no rotation yet; the run takes the declared secret S1 as CURRENT.
 * - promotion: CURRENT S1, S2 staged; the run promotes S2 (PREVIOUS S1 kept).
 * - promotion_finish: the same with keepPrevious 0, so the run also drops PREVIOUS.
 * - rejected: S2 staged, then deleted in the portal; the run must fail its test and keep S1.
 */
export type Scenario = "bootstrap" | "promotion" | "promotion_finish" | "rejected";
export const SCENARIOS: readonly Scenario[] = ["bootstrap", "promotion", "promotion_finish", "rejected"];

/** The failpoints each scenario's run passes (a failpoint it never reaches would prove nothing). */
export const REACHED: Readonly<Record<Scenario, readonly RotationFailpoint[]>> = {
  bootstrap: ["locked", "bootstrap-proved", "bootstrapped", "recorded"],
  promotion: ["locked", "testing-recorded", "tested", "promoted", "recorded"],
  promotion_finish: ["locked", "testing-recorded", "tested", "promoted", "finished", "recorded"],
  rejected: ["locked", "testing-recorded"],
};

/** The protocol steps every completed run of a scenario logs, in this order (retries may come between). */
const STEPS_IN_LOG: Readonly<Record<Scenario, readonly string[]>> = {
  bootstrap: ["bootstrapped"],
  promotion: ["bootstrapped", "staged", "testing", "promoted"],
  promotion_finish: ["bootstrapped", "staged", "testing", "promoted", "finished"],
  rejected: ["bootstrapped", "staged", "testing", "test_failed"],
};

/** The trigger generation the run under test is for. */
const GENERATION = 3;

export interface Kill {
  readonly failpoint?: RotationFailpoint;
  /** Milliseconds after spawn. */
  readonly afterMs?: number;
}

export interface TrialOutcome {
  /** The signal that ended the child, or null when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly wallMs: number;
  /** Problems found; empty when the trial passed. */
  readonly problems: readonly string[];
}

interface Setup {
  readonly ws: Workspace;
  readonly app: RegisteredApp;
  readonly s1: string;
  readonly s2: string | undefined;
  readonly rotationId: string | undefined;
}

/**
 * A scenario's premise, made once per scenario, app kind and emulator: the app registered in the
 * emulator and the stack directory as the hooks and `secret stage` left it. Each trial starts from a
 * copy of the directory (the local backend lives inside it), so its premise is seeded in full before
 * its kill, and runs against the template's app: a trial only proves secrets at the token endpoint
 * (which changes nothing in the emulator), so trials sharing an app do not see each other.
 */
interface Template extends Omit<Setup, "ws"> {
  readonly dir: string;
}

const templates = new WeakMap<RunningEmulator, Map<string, Promise<Template>>>();

function templateFor(emulator: RunningEmulator, scenario: Scenario, appKind: RotatedAppKind): Promise<Template> {
  const byKey = templates.get(emulator) ?? new Map<string, Promise<Template>>();
  templates.set(emulator, byKey);
  const key = `${scenario}/${appKind}`;
  const made = byKey.get(key) ?? makeTemplate(emulator, scenario, appKind);
  byKey.set(key, made);
  return made;
}

async function makeTemplate(emulator: RunningEmulator, scenario: Scenario, appKind: RotatedAppKind): Promise<Template> {
  const ws = await workspace();
  const fields = scenario === "promotion_finish" ? { keepPreviousSeconds: 0 } : {};
  const app = await registeredApp(emulator, ws, appKind, fields);
  if (scenario === "bootstrap") return { dir: ws.dir, app, s1: app.secret, s2: undefined, rotationId: undefined };
  const bootstrap = await runHookNow(ws, emulator, app.spec, 0, app.secret);
  if (bootstrap.error !== undefined) throw bootstrap.error;
  const s2 = await generateSecret(emulator, app.clientId);
  const staged = await expectStaged(ws, emulator, s2, new ManualClock(new Date()));
  if (scenario === "rejected") await emulator.admin.deleteSecret(app.clientId, 2);
  return { dir: ws.dir, app, s1: app.secret, s2, rotationId: staged.rotationId };
}

/** Removes the templates made against `emulator` (call once its trials are over). */
export async function removeTemplates(emulator: RunningEmulator): Promise<void> {
  const made = await Promise.all([...(templates.get(emulator)?.values() ?? [])]);
  templates.delete(emulator);
  await Promise.all(made.map((template) => fs.rm(template.dir, { recursive: true, force: true })));
}

async function setUp(emulator: RunningEmulator, scenario: Scenario, appKind: RotatedAppKind): Promise<Setup> {
  const { dir, ...premise } = await templateFor(emulator, scenario, appKind);
  const ws = await workspace();
  await fs.cp(dir, ws.dir, { recursive: true });
  return { ws, ...premise };
}

/** `hook apply` in this process on the real clock (the killed child ran on it too). */
async function runHookNow(
  ws: Workspace,
  emulator: RunningEmulator,
  spec: SecretRotationSpec,
  generation: number,
  secret: string,
): Promise<{ error?: Error & { code?: string } }> {
  try {
    await runHook("apply", {
      env: { ...emulatorEnv(emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...hookVariables(spec, generation), [SECRET_ENV]: secret },
      cwd: ws.dir,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
    });
    return {};
  } catch (error) {
    return { error: error as Error & { code?: string } };
  }
}

function runChild(env: Record<string, string>, cwd: string, kill: Kill): Promise<{ signal: NodeJS.Signals | null; code: number | null; wallMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, "hook", "apply"], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = kill.afterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ signal, code, wallMs: performance.now() - started, stderr });
    });
  });
}

/** Runs one trial; never throws for a protocol problem (they are returned), only for a broken test setup. */
export async function runTrial(emulator: RunningEmulator, scenario: Scenario, appKind: RotatedAppKind, kill: Kill): Promise<TrialOutcome> {
  const setup = await setUp(emulator, scenario, appKind);
  const problems: string[] = [];
  const backend = await openWorkspaceBackend(setup.ws);
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      ...emulatorEnv(emulator),
      CDKTF_XERO_STATE_KEY: TEST_STATE_KEY,
      ...hookVariables(setup.app.spec, GENERATION),
      [SECRET_ENV]: setup.s1,
      ...(kill.failpoint === undefined ? {} : { CDKTF_XERO_FAILPOINT: `${kill.failpoint}:kill` }),
    };
    const child = await runChild(env, setup.ws.dir, kill);
    if (kill.failpoint !== undefined && child.signal !== "SIGKILL") {
      problems.push(`the child was to die at failpoint ${kill.failpoint} but ended with code ${child.code}: ${child.stderr.trim()}`);
    }
    problems.push(...checkCutState(scenario, setup, await viewRotation(backend)).map((p) => `after the kill: ${p}`));

    const rerunStarted = new Date();
    const rerun = await runHookNow(setup.ws, emulator, setup.app.spec, GENERATION, setup.s1);
    if (scenario === "rejected") {
      if (rerun.error?.code !== "ROTATION_CANDIDATE_REJECTED") problems.push(`the re-run should fail its test, got ${rerun.error?.code ?? "success"}`);
    } else if (rerun.error !== undefined) {
      problems.push(`the re-run failed: ${rerun.error.message}`);
    }
    problems.push(...(await checkEndState(scenario, setup, backend, rerunStarted)).map((p) => `after the re-run: ${p}`));
    return { signal: child.signal, code: child.code, wallMs: child.wallMs, problems };
  } finally {
    await backend.close();
    await setup.ws.cleanup();
  }
}

/** What may hold at any instant: no secret lost, CURRENT never a secret that failed its test, nothing torn. */
function checkCutState(scenario: Scenario, setup: Setup, view: RotationView): string[] {
  const { current, pending, previous } = view.secrets;
  const name = (value: string | undefined): string => (value === undefined ? "none" : value === setup.s1 ? "S1" : value === setup.s2 ? "S2" : "an unknown secret");
  const seen = `CURRENT ${name(current)}, PENDING ${name(pending)}, PREVIOUS ${name(previous)}`;
  const known = Object.keys(view.secrets).filter((key) => !["current", "pending", "previous"].includes(key));
  if (known.length > 0) return [`unexpected envelope keys ${known.join(", ")}`];
  switch (scenario) {
    case "bootstrap":
      return (current === undefined || current === setup.s1) && pending === undefined && previous === undefined ? [] : [seen];
    case "rejected":
      return current === setup.s1 && pending === setup.s2 && previous === undefined ? [] : [`${seen} (the rejected S2 must stay PENDING, S1 CURRENT)`];
    default: {
      const before = current === setup.s1 && pending === setup.s2 && previous === undefined;
      const after = current === setup.s2 && pending === undefined && (previous === setup.s1 || (scenario === "promotion_finish" && previous === undefined));
      return before || after ? [] : [`${seen}: S2 must be CURRENT or PENDING, S1 CURRENT or PREVIOUS`];
    }
  }
}

/** Exactly where an uninterrupted run ends (timestamps checked by their relations, not their values). */
async function checkEndState(scenario: Scenario, setup: Setup, backend: StateBackend, rerunStarted: Date): Promise<string[]> {
  const view = await viewRotation(backend);
  const problems: string[] = [];
  const expectedSecrets =
    scenario === "bootstrap" ? { current: setup.s1 }
    : scenario === "promotion" ? { current: setup.s2, previous: setup.s1 }
    : scenario === "promotion_finish" ? { current: setup.s2 }
    : { current: setup.s1, pending: setup.s2 };
  if (JSON.stringify(sorted(view.secrets)) !== JSON.stringify(sorted(expectedSecrets))) {
    problems.push(`secrets hold ${Object.keys(view.secrets).sort().join(", ")} not as expected ${Object.keys(expectedSecrets).sort().join(", ")} (or other values)`);
  }
  const values = view.values ?? {};
  const fingerprint = async (value: string | undefined): Promise<string> => (value === undefined ? "" : ((await backend.fingerprintSecret(value)) ?? ""));
  const expectStep = { bootstrap: "bootstrapped", promotion: "promoted", promotion_finish: "finished", rejected: "test_failed" }[scenario];
  const expected: Record<string, unknown> = {
    step: expectStep,
    current_fingerprint: await fingerprint(expectedSecrets.current),
    pending_fingerprint: await fingerprint("pending" in expectedSecrets ? expectedSecrets.pending : undefined),
    previous_fingerprint: await fingerprint("previous" in expectedSecrets ? expectedSecrets.previous : undefined),
    ...(setup.rotationId === undefined ? {} : { rotation_id: setup.rotationId }),
    ...(scenario === "rejected" ? {} : { generation: GENERATION, applied_generation: GENERATION }),
  };
  for (const [key, value] of Object.entries(expected)) {
    if (values[key] !== value) problems.push(`${key} is ${JSON.stringify(values[key])}, expected ${JSON.stringify(value)}`);
  }
  if (scenario !== "rejected") {
    const rotatedAt = Date.parse(String(values["rotated_at"]));
    const maxAge = setup.app.spec.maxAgeSeconds * 1000;
    if (Date.parse(String(values["next_due"])) - rotatedAt !== maxAge) problems.push(`next_due is not rotated_at + maxAge`);
    if (!(Date.parse(String(values["due_at"])) > rerunStarted.getTime())) problems.push(`due_at ${String(values["due_at"])} is not in the future`);
    const wantsPrevious = scenario === "promotion";
    if (wantsPrevious && Date.parse(String(values["previous_expires_at"])) - rotatedAt !== setup.app.spec.keepPreviousSeconds * 1000) {
      problems.push("previous_expires_at is not rotated_at + keepPrevious");
    }
    if (!wantsPrevious && values["previous_expires_at"] !== "") problems.push(`previous_expires_at is ${String(values["previous_expires_at"])}, expected ""`);
  }
  // Every step, from the log written atomically with it.
  const log = Array.isArray(values["rotation_log"]) ? (values["rotation_log"] as string[]).map((line) => line.split(" ")[1] ?? "") : [];
  if (!isSubsequence(STEPS_IN_LOG[scenario], log)) problems.push(`rotation_log ${log.join(" ")} does not show ${STEPS_IN_LOG[scenario].join(" → ")}`);
  if (log.filter((step) => step === "promoted").length > 1) problems.push("more than one promotion in rotation_log");
  // The backend's history: every write. One a kill cut off between the document and its history line
  // is recorded as "unrecorded" by the re-run when it takes the lock.
  const recorded = new Set(view.history.map((entry) => entry.serialAfter));
  const missing = Array.from({ length: view.serial ?? 0 }, (_, i) => i + 1).filter((serial) => !recorded.has(serial));
  if (missing.length > 0) problems.push(`history lacks the writes of serials ${missing.join(", ")}`);
  if (view.actions.filter((action) => action === "rotation:promoted").length > 1) problems.push("more than one promotion in the history");
  return problems;
}

function sorted(values: Readonly<Record<string, string | undefined>>): [string, string | undefined][] {
  return Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1));
}

function isSubsequence(wanted: readonly string[], actual: readonly string[]): boolean {
  let at = 0;
  for (const action of actual) if (action === wanted[at]) at += 1;
  return at === wanted.length;
}

/** mulberry32: a small seeded PRNG, so a failing random trial can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `tasks` with at most `limit` at a time, in order of start; resolves to their results in input order. */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}
