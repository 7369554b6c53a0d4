/**
 * `npm run bench`: every benchmark in turn, each in its own process, each printing its ratio against
 * a baseline measured in the same run. Pass a name to run one: `npm run bench -- synth`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHMARKS = ["client-vs-axios", "state-backend", "synth", "terraform-apply", "hook-phases", "rotation", "drift", "token"] as const;

function main(): number {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(", ")}; choose from ${BENCHMARKS.join(", ")}\n`);
    return 64;
  }
  let failed = 0;
  for (const name of wanted.length > 0 ? wanted : BENCHMARKS) {
    process.stdout.write(`\n== ${name} ==\n`);
    const result = spawnSync(process.execPath, [join(__dirname, `${name}.js`)], { stdio: "inherit" });
    if (result.status !== 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
