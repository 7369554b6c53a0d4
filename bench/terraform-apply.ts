/**
 * Benchmark: `terraform apply` of N Custom Connection links (and their N app registrations) against the
 * emulator, vs the same synthesized stack with every provisioner command replaced by `node -e 0`:
 * the floor that Terraform and process start-up set. Target: ≤ 1.5×.
 *
 *   npm run build && node dist/bench/terraform-apply.js [--links N] [--runs N]
 *
 * Every run starts from a fresh Terraform state. The floor's remote-state reads need documents to
 * exist, so it runs against a copy of the documents the first real apply wrote.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { formatSummary, median, summarize } from "./stats";
import { integerOption } from "./process-timing";
import { terraformBinary } from "../scripts/terraform-binary";

const TARGET_RATIO = 1.5;
const SCOPES = ["accounting.invoices.read"];

interface Measured {
  readonly wallMs: number;
  /** User + system CPU of the command and every process it waited for (Terraform, shells, hooks). */
  readonly cpuMs: number;
}

/**
 * Runs `command` through `sh`, whose `times` builtin reports the CPU its waited-for children used:
 * unlike wall time, that hardly moves when other work shares the machine.
 */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Measured> {
  const timesFile = join(tmpdir(), `cdktf-xero-bench-times-${process.pid}`);
  const script = 'cmd="$1"; shift; "$cmd" "$@"; code=$?; times > "$BENCH_TIMES_FILE"; exit $code';
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn("sh", ["-c", script, "sh", command, ...args], {
      cwd,
      env: { ...env, BENCH_TIMES_FILE: timesFile },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(" ")} exited ${code} in ${cwd}: ${stderr.trim().slice(0, 2000)}`));
        return;
      }
      try {
        resolve({ wallMs, cpuMs: childrenCpuMs(readFileSync(timesFile, "utf8")) });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(timesFile, { force: true });
      }
    });
  });
}

/** The second line of POSIX `times` output (`0m1.230000s 0m0.450000s`: children's user and system time), in ms. */
function childrenCpuMs(times: string): number {
  const line = times.trim().split("\n")[1] ?? "";
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  if (parts.length !== 2) throw new Error(`cannot read CPU times from sh's \`times\` output ${JSON.stringify(times)}`);
  return parts[0]! + parts[1]!;
}

/** Registers N Custom Connection apps, each linked to its own organisation; returns their client ids and secrets. */
async function registerApps(emulator: RunningEmulator, count: number): Promise<{ clientId: string; secret: string }[]> {
  const apps: { clientId: string; secret: string }[] = [];
  for (let i = 0; i < count; i++) {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: `Bench ${i}`, scopes: SCOPES });
    const { tenantId } = await emulator.admin.createOrg({ name: `Bench Org ${i}` });
    await emulator.admin.link(app.clientId, tenantId);
    apps.push({ clientId: app.clientId, secret: app.clientSecret ?? "" });
  }
  return apps;
}

/** Synthesizes the stack in a child process (the constructs live in dist/) into `<dir>/cdktf.out`. */
async function synthesize(dir: string, apps: readonly { clientId: string }[], env: NodeJS.ProcessEnv): Promise<string> {
  const script = join(dir, "synth.js");
  const root = join(__dirname, "..", "..");
  writeFileSync(
    script,
    `const { App, TerraformStack, LocalBackend } = require(${JSON.stringify(require.resolve("cdktf"))});
const x = require(${JSON.stringify(join(root, "dist", "index.js"))});
const app = new App({ outdir: ${JSON.stringify(join(dir, "cdktf.out"))}, skipValidation: true });
const stack = new TerraformStack(app, "bench");
new LocalBackend(stack, { path: "terraform.tfstate" });
const state = x.XeroState.local(${JSON.stringify(join(dir, "state"))});
${JSON.stringify(apps.map((a) => a.clientId))}.forEach((clientId, i) => {
  const reg = new x.XeroAppRegistration(stack, "App" + i, { kind: x.XeroAppKind.CUSTOM_CONNECTION, appName: "Bench " + i,
    clientId, clientSecret: x.XeroSecret.fromEnv("BENCH_SECRET_" + i), scopes: ${JSON.stringify(SCOPES)}, state });
  new x.XeroCustomConnection(stack, "Link" + i, { app: reg, state });
});
app.synth();
`,
  );
  await run(process.execPath, [script], root, env);
  return join(dir, "cdktf.out", "stacks", "bench");
}

/**
 * A fresh working copy of the stack: cdk.tf.json (optionally rewritten) and no Terraform state, in
 * `<new temp dir>/cdktf.out/stacks/bench`. Same depth below the temp directory as the synthesized
 * stack, because the hook script's path in cdk.tf.json is relative to the stack directory.
 */
function freshCopy(stackDir: string, rewrite?: (json: string) => string): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), "cdktf-xero-apply-run-"));
  const dir = join(root, "cdktf.out", "stacks", "bench");
  mkdirSync(dir, { recursive: true });
  const json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
  writeFileSync(join(dir, "cdk.tf.json"), rewrite ? rewrite(json) : json);
  return { root, dir };
}

/** Every provisioner runs `node -e 0` instead of the hook: same processes started, no work done. */
function floorOf(json: string, stateDir: string, floorStateDir: string): string {
  const floor = json.replace(/node [^"]*cli\/hook-launcher\.js hook (init|apply|destroy)/g, "node -e 0");
  if (floor === json) throw new Error("no hook command found in cdk.tf.json to replace with `node -e 0`: the floor would run the real hooks");
  return floor.split(stateDir).join(floorStateDir);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const links = integerOption(argv, "--links", 50, 1);
  const runs = integerOption(argv, "--runs", 5, 1);
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-apply-bench-"));
  const emulator = await startEmulator({ rateLimits: { perAppPerMinute: 1_000_000 } });
  try {
    const apps = await registerApps(emulator, links);
    const terraformrc = join(scratch, "terraformrc");
    writeFileSync(terraformrc, "");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TF_CLI_CONFIG_FILE: terraformrc,
      CHECKPOINT_DISABLE: "1",
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 3).toString("base64"),
      ...Object.fromEntries(apps.map((app, i) => [`BENCH_SECRET_${i}`, app.secret])),
    };
    const stackDir = await synthesize(scratch, apps, env);
    const stateDir = join(scratch, "state");
    const floorStateDir = join(scratch, "floor-state");

    const applyOnce = async (variant: "hooks" | "floor"): Promise<Measured> => {
      const { root, dir } = variant === "hooks" ? freshCopy(stackDir) : freshCopy(stackDir, (json) => floorOf(json, stateDir, floorStateDir));
      try {
        await run(terraformBinary(), ["init", "-input=false", "-no-color"], dir, env);
        if (variant === "hooks") rmSync(stateDir, { recursive: true, force: true });
        return await run(terraformBinary(), ["apply", "-auto-approve", "-input=false", "-no-color"], dir, env);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    };

    // The first real apply also writes the documents the floor's remote-state reads need.
    await applyOnce("hooks");
    mkdirSync(floorStateDir, { recursive: true });
    cpSync(stateDir, floorStateDir, { recursive: true });
    await applyOnce("floor");

    const hooks: Measured[] = [];
    const floor: Measured[] = [];
    for (let i = 0; i < runs; i++) {
      const order: ("hooks" | "floor")[] = i % 2 === 0 ? ["hooks", "floor"] : ["floor", "hooks"];
      for (const variant of order) (variant === "hooks" ? hooks : floor).push(await applyOnce(variant));
    }
    const wall = (samples: Measured[]): number[] => samples.map((m) => m.wallMs);
    const cpu = (samples: Measured[]): number[] => samples.map((m) => m.cpuMs);
    const ratio = median(wall(hooks)) / median(wall(floor));
    const cpuRatio = median(cpu(hooks)) / median(cpu(floor));
    process.stdout.write(
      [
        `terraform apply: ${links} Custom Connection links + ${links} registrations (${links * 4} hook resources incl. Init), ${runs} interleaved runs each`,
        formatSummary("cdktf-xero hooks", summarize(wall(hooks))),
        formatSummary("node -e 0 floor (baseline)", summarize(wall(floor))),
        formatSummary("  CPU, cdktf-xero hooks", summarize(cpu(hooks))),
        formatSummary("  CPU, node -e 0 floor", summarize(cpu(floor))),
        `CPU ratio (Terraform + every hook process; steadier than wall time on a shared machine): ${cpuRatio.toFixed(2)}x`,
        `ratio (median hooks / median floor): ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}`,
        "",
      ].join("\n"),
    );
  } finally {
    await emulator.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
