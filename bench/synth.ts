/**
 * Benchmark: synth of 1,000 cdktf-xero constructs (500 Custom Connection registrations and their 500
 * links) against the same Terraform elements written with plain cdktf classes. Target: ≤ 1.25×.
 * Also prints how many Terraform elements each construct renders.
 *
 *   npm run build && node dist/bench/synth.js [--runs N] [--constructs N]
 *
 * Each synth runs in a fresh process and is timed inside it (construct tree + app.synth(), not Node's
 * start-up); runs alternate between the two variants.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSummary, median, summarize } from "./stats";
import { integerOption } from "./process-timing";

const TARGET_RATIO = 1.25;

function synthOnce(variant: "xero" | "plain", constructs: number): { ms: number; elements: number } {
  const outdir = mkdtempSync(join(tmpdir(), `cdktf-xero-synth-${variant}-`));
  try {
    const result = spawnSync(process.execPath, [join(__dirname, "synth-worker.js"), variant, String(constructs), outdir], {
      encoding: "utf8",
      cwd: join(__dirname, "..", ".."),
    });
    if (result.status !== 0) throw new Error(`synth-worker ${variant} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { ms: number; elements: number };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const runs = integerOption(argv, "--runs", 7, 2);
  const constructs = integerOption(argv, "--constructs", 1000, 2);
  synthOnce("xero", constructs);
  synthOnce("plain", constructs);
  const xero: number[] = [];
  const plain: number[] = [];
  let elements = { xero: 0, plain: 0 };
  for (let i = 0; i < runs; i++) {
    const order: ("xero" | "plain")[] = i % 2 === 0 ? ["xero", "plain"] : ["plain", "xero"];
    for (const variant of order) {
      const result = synthOnce(variant, constructs);
      (variant === "xero" ? xero : plain).push(result.ms);
      elements = { ...elements, [variant]: result.elements };
    }
  }
  const ratio = median(xero) / median(plain);
  process.stdout.write(
    [
      `synth: ${constructs} constructs, ${runs} interleaved runs each, timed inside fresh processes`,
      formatSummary("cdktf-xero constructs", summarize(xero)),
      formatSummary("plain cdktf classes (baseline)", summarize(plain)),
      `Terraform elements: ${elements.xero} (cdktf-xero) vs ${elements.plain} (plain), ${elements.xero / constructs} per construct`,
      `ratio (median cdktf-xero / median plain): ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}`,
      "",
    ].join("\n"),
  );
}

main();
