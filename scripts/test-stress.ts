/**
 * `npm run test:stress`: the whole suite three times in a row while a CPU hog keeps every core busy,
 * so a test that needs an idle machine fails here before it fails someone's CI run.
 *
 *   node dist/scripts/test-stress.js [runs]      (after `npm run build`; the npm script builds)
 *
 * The hog is one busy-looping child process per core, started before the first run and stopped after
 * the last (and on Ctrl-C). Exits 0 only when every run passed; prints each run's time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";

const PROJECT_ROOT = join(__dirname, "..", "..");
const JEST = join(PROJECT_ROOT, "node_modules", "jest", "bin", "jest.js");
const DEFAULT_RUNS = 3;

function startHog(): ChildProcess[] {
  return Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
}

function runSuite(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JEST], { cwd: PROJECT_ROOT, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

async function main(): Promise<number> {
  const runs = Number(process.argv[2] ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number of at least 1, got ${process.argv[2]}`);
  const hog = startHog();
  const stopHog = (): void => hog.forEach((child) => child.kill("SIGKILL"));
  process.on("exit", stopHog);
  process.on("SIGINT", () => process.exit(130));
  process.stdout.write(`test:stress: ${hog.length} busy-looping processes keep every core busy; the suite runs ${runs} times\n`);
  const results: { code: number; seconds: number }[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      process.stdout.write(`\n== test:stress run ${run} of ${runs} ==\n`);
      const started = process.hrtime.bigint();
      const code = await runSuite();
      results.push({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
  } finally {
    stopHog();
  }
  const passed = results.filter((result) => result.code === 0).length;
  process.stdout.write(`\ntest:stress: ${passed} of ${runs} runs passed under the CPU hog\n`);
  results.forEach((result, index) =>
    process.stdout.write(`  run ${index + 1}: ${result.code === 0 ? "passed" : `failed (exit ${result.code})`} in ${result.seconds.toFixed(0)} s\n`),
  );
  return passed === runs ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`test:stress: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
