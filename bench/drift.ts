/**
 * Benchmark: `cdktf-xero drift --backend local:<dir> --json` over 500 documents (250 Custom
 * Connection apps and their links, on 250 organisations) with the emulator answering every call
 * after 50 ms, vs the lower bound that concurrency and latency set: calls / allowed concurrency ×
 * latency, the calls counted from the emulator's request log. Target: ≤ 1.2×. Also the time of a
 * single document's drift check as a fresh process vs `node -e 0` (no latency: what the process costs).
 *
 *   npm run build && node dist/bench/drift.js [--apps 250] [--runs 3] [--latency-ms 50] [--concurrency N] [--single-runs 5]
 *
 * Every app and organisation sees a handful of calls, so no Xero limit binds here: the allowed
 * concurrency is `--concurrency` (default: drift's own default, DEFAULT_DRIFT_CONCURRENCY).
 *
 * Each drift run alternates with a run of bench/drift-reference-client.ts, the fewest lines of Node
 * that make the same calls at the same concurrency, timed the same way against the same bound: what
 * the emulator's answers, loopback and Node's start-up cost before any of drift's own work, in the
 * same conditions. Both get a minimal environment (PATH, the Xero URLs, the state key, the secrets),
 * as the token benchmark's processes do: a variable such as NODE_EXTRA_CA_CERTS makes every Node
 * process on a machine slower to start (this sandbox sets one: ~70 ms) and is no part of drift.
 *
 * Each app also has a secret rotation (drift takes its CURRENT before the recorded reference); its
 * document is checked offline (no Xero call), so the bound, counted in calls, is the same.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_DRIFT_CONCURRENCY } from "../providers/xero/call-limiter";
import { buildDriftBenchWorld, type DriftBenchWorld } from "./drift-setup";
import { integerOption, timeNode } from "./process-timing";
import { formatSummary, median, summarize } from "./stats";

const TARGET_RATIO = 1.2;
const CLI = join(__dirname, "..", "cli", "main.js");
const REFERENCE_CLIENT = join(__dirname, "drift-reference-client.js");

/**
 * Why the CLI at `cliPath` cannot run this benchmark, or undefined when it has a `drift` command.
 * Commander answers `drift --help` with the top-level help when no such command exists, so the test
 * is what the help says, not the exit code.
 */
export function driftCommandProblem(cliPath: string): string | undefined {
  const help = spawnSync(process.execPath, [cliPath, "drift", "--help"], { encoding: "utf8" });
  if (help.error !== undefined) return `cannot run ${cliPath}: ${help.error.message}`;
  if (/^Usage: cdktf-xero drift\b/m.test(help.stdout)) return undefined;
  return (
    `${cliPath} has no \`drift\` command (\`cdktf-xero drift --help\` does not show its usage), so there is nothing to ` +
    `measure: build a checkout that has the drift command (issue 11), e.g. \`npm run build\` after merging it, then run ` +
    `\`node dist/bench/drift.js\` again`
  );
}

interface DriftRun {
  /** When the process was spawned (epoch ms), to place the emulator's request log on the run. */
  readonly spawnedAtMs: number;
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One `cdktf-xero drift` in a fresh process, timed from spawn to exit. */
function runDrift(world: DriftBenchWorld, concurrency: number): Promise<DriftRun> {
  return runTimed(world, [CLI, "drift", "--backend", world.backendFlag, "--json", "--concurrency", String(concurrency)]);
}

/** One run of the reference client (see the top of this file) over the same world. */
function runReference(world: DriftBenchWorld, appsFile: string, concurrency: number): Promise<DriftRun> {
  return runTimed(world, [REFERENCE_CLIENT, appsFile, String(concurrency)]);
}

/** The environment of every process this benchmark times: PATH and the world's variables, nothing of this machine's. */
function benchEnv(world: DriftBenchWorld): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "", ...world.env };
}

function runTimed(world: DriftBenchWorld, args: readonly string[]): Promise<DriftRun> {
  return new Promise((resolve, reject) => {
    const spawnedAtMs = Date.now();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...args], { env: benchEnv(world), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve({ spawnedAtMs, wallMs: Number(process.hrtime.bigint() - started) / 1e6, exitCode, stdout, stderr }));
  });
}

/** Where a run's wall time went, from the emulator's request log (each entry's time is when its answer was sent). */
export interface DriftRunPhases {
  /** Spawn to the first call's arrival (the answer's time less the latency): start-up, reading, preparing. */
  readonly toFirstCallMs: number;
  /** The first call's arrival to the last answer: what the bound describes. */
  readonly callsMs: number;
  /** The last answer to the process's exit: the last checks, the report, the exit. */
  readonly afterLastAnswerMs: number;
}

export function driftRunPhases(run: { readonly spawnedAtMs: number; readonly wallMs: number }, answeredAtMs: readonly number[], latencyMs: number): DriftRunPhases {
  if (answeredAtMs.length === 0) return { toFirstCallMs: run.wallMs, callsMs: 0, afterLastAnswerMs: 0 };
  const firstCall = Math.min(...answeredAtMs) - latencyMs - run.spawnedAtMs;
  const lastAnswer = Math.max(...answeredAtMs) - run.spawnedAtMs;
  return { toFirstCallMs: firstCall, callsMs: lastAnswer - firstCall, afterLastAnswerMs: run.wallMs - lastAnswer };
}

function describePhases(phase: DriftRunPhases | undefined, wallMs: number | undefined): string {
  if (phase === undefined) return "?";
  return `spawn to first call ${phase.toFirstCallMs.toFixed(0)} ms, calls ${phase.callsMs.toFixed(0)} ms, last answer to exit ${phase.afterLastAnswerMs.toFixed(0)} ms (wall ${wallMs?.toFixed(0) ?? "?"} ms)`;
}

/**
 * A drift run that found drift or could not check, or a reference run that got an answer other than
 * a 200, means the world is not what the benchmark claims.
 */
function requireClean(run: DriftRun, what: string): void {
  if (run.exitCode === 0) return;
  throw new Error(
    `${what} exited ${String(run.exitCode)} (0 expected: the benchmark's documents match the emulator, so nothing drifted and every call is answered with a 200)\n` +
      `stderr: ${run.stderr.trim().slice(0, 2000)}\nstdout: ${run.stdout.trim().slice(0, 2000)}`,
  );
}

async function measureMany(argv: readonly string[], scratch: string): Promise<string[]> {
  const apps = integerOption(argv, "--apps", 250, 1);
  const runs = integerOption(argv, "--runs", 3, 1);
  const latencyMs = integerOption(argv, "--latency-ms", 50, 1);
  const concurrency = integerOption(argv, "--concurrency", DEFAULT_DRIFT_CONCURRENCY, 1);
  const world = await buildDriftBenchWorld({ dir: join(scratch, "many"), apps, latencyMs, rotations: true });
  try {
    const appsFile = join(scratch, "reference-apps.json");
    writeFileSync(appsFile, JSON.stringify(world.apps));
    const walls: number[] = [];
    const referenceWalls: number[] = [];
    const bounds: number[] = [];
    const phases: DriftRunPhases[] = [];
    const referencePhases: DriftRunPhases[] = [];
    const referenceCalls: number[] = [];
    let calls = 0;
    let refused = 0;
    const measureDrift = async (): Promise<void> => {
      await world.emulator.admin.clearRequests();
      const run = await runDrift(world, concurrency);
      requireClean(run, `drift on ${world.documents.length} documents`);
      const log = await world.emulator.admin.requests();
      calls = log.length;
      refused = log.filter((entry) => entry.status === 429).length;
      walls.push(run.wallMs);
      bounds.push((calls / concurrency) * latencyMs);
      phases.push(driftRunPhases(run, log.map((entry) => Date.parse(entry.time)), latencyMs));
    };
    const measureReference = async (): Promise<void> => {
      await world.emulator.admin.clearRequests();
      const reference = await runReference(world, appsFile, concurrency);
      requireClean(reference, "the reference client");
      const referenceLog = await world.emulator.admin.requests();
      referenceCalls.push(referenceLog.length);
      referenceWalls.push(reference.wallMs);
      referencePhases.push(driftRunPhases(reference, referenceLog.map((entry) => Date.parse(entry.time)), latencyMs));
    };
    // In turn, each first every other time, so a machine getting slower or faster favours neither.
    for (let i = 0; i < runs; i++) for (const measure of i % 2 === 0 ? [measureDrift, measureReference] : [measureReference, measureDrift]) await measure();
    if (referenceCalls.some((count) => count !== calls)) throw new Error(`the reference client made ${referenceCalls.join(", ")} calls where drift made ${calls}: it no longer makes drift's calls`);
    const ratio = median(walls) / median(bounds);
    const referenceRatio = median(referenceWalls) / median(bounds);
    return [
      `drift: ${apps * 2} documents (${apps} Custom Connection apps + ${apps} links, ${apps} organisations; plus ${apps} rotation documents holding the secrets), latency ${latencyMs} ms, --concurrency ${concurrency}, ${runs} runs`,
      `calls seen by the emulator per run: ${calls} (${refused} answered 429)`,
      formatSummary("cdktf-xero drift", summarize(walls)),
      formatSummary("reference client", summarize(referenceWalls)),
      formatSummary("bound: calls/conc x latency", summarize(bounds)),
      `ratio (median drift / bound): ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}`,
      `reference client's ratio (median / bound), the same calls with no checks: ${referenceRatio.toFixed(2)}x; drift / reference client: ${(median(walls) / median(referenceWalls)).toFixed(2)}x`,
      `where the time went (from the emulator's request log), per run:`,
      ...phases.flatMap((phase, i) => [
        `  run ${i + 1}: ${describePhases(phase, walls[i])}`,
        `    reference client: ${describePhases(referencePhases[i], referenceWalls[i])}`,
      ]),
    ];
  } finally {
    await world.close();
  }
}

async function measureSingle(argv: readonly string[], scratch: string): Promise<string[]> {
  const runs = integerOption(argv, "--single-runs", 5, 1);
  const world = await buildDriftBenchWorld({ dir: join(scratch, "single"), apps: 1, links: false, rotations: true, latencyMs: 0 });
  try {
    const drift: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) {
      const measureDrift = async (): Promise<void> => {
        const run = await runDrift(world, DEFAULT_DRIFT_CONCURRENCY);
        requireClean(run, "drift on one document");
        drift.push(run.wallMs);
      };
      const measureFloor = async (): Promise<void> => {
        floor.push(await timeNode(["-e", "0"], benchEnv(world)));
      };
      for (const measure of i % 2 === 0 ? [measureDrift, measureFloor] : [measureFloor, measureDrift]) await measure();
    }
    return [
      `single document (one app registration, its secret in its rotation's document), no latency, ${runs} interleaved runs each:`,
      formatSummary("cdktf-xero drift", summarize(drift)),
      formatSummary("node -e 0 (baseline)", summarize(floor)),
      `ratio (median drift / median node -e 0): ${(median(drift) / median(floor)).toFixed(2)}x`,
    ];
  } finally {
    await world.close();
  }
}

async function main(): Promise<void> {
  const problem = driftCommandProblem(CLI);
  if (problem !== undefined) throw new Error(`bench drift: ${problem}`);
  const argv = process.argv.slice(2);
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-drift-bench-"));
  try {
    const lines = [...(await measureMany(argv, scratch)), ...(await measureSingle(argv, scratch))];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
