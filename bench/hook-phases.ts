/**
 * Benchmark: where the time of one hook process goes. Runs the hook the way Terraform's local-exec
 * does (`node dist/cli/hook-launcher.js hook <verb>` in a stack directory, the spec in the
 * environment) against the emulator, next to `node -e 0`, and prints per variant the median wall
 * time and, from a second, traced run of the same variant (bench/hook-phase-tracer.ts), the median
 * milliseconds per phase: module load, spec parse, backend open, key load, Xero HTTP, lock, read,
 * write and history fsyncs. Traced runs call the plain CLI (dist/cli/main.js's runCliAsProcess, not
 * main.js as the main module, which hands hook lines to the bundle): the tracer wraps the compiled
 * modules, which a bundle does not use, so their module-load phases show the cost without the bundle.
 *
 *   npm run build && node dist/bench/hook-phases.js [--runs N]
 *
 * The emulator answers in this process, so "Xero HTTP" includes its work (token signing).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../emulator";
import { hashHookSpec, type HookSpec } from "../contract/hook-spec";
import { median } from "./stats";
import { integerOption } from "./process-timing";

const SCOPES = ["accounting.invoices.read"];
const LAUNCHER = join(__dirname, "..", "cli", "hook-launcher.js");
const PLAIN_CLI = join(__dirname, "..", "cli", "main.js");
const TRACER = join(__dirname, "hook-phase-tracer.js");
/** Where the tracer appends its line (not imported from it: importing the tracer installs it). */
const PHASES_FILE_ENV = "CDKTF_XERO_PHASES_FILE";

/** Runs one process to completion; resolves to its wall time in ms. */
function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...args], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(Number(process.hrtime.bigint() - started) / 1e6);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.trim().slice(0, 2000)}`));
    });
  });
}

interface Variant {
  readonly label: string;
  /** The hook's arguments and spec variables for run `i`, or undefined for the `node -e 0` floor. */
  readonly hook?: (i: number) => { verb: "init" | "apply"; spec: HookSpec };
}

async function main(): Promise<void> {
  const runs = integerOption(process.argv.slice(2), "--runs", 15, 1);
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-hook-phases-"));
  const emulator = await startEmulator({ rateLimits: { perAppPerMinute: 1_000_000 } });
  try {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Phases", scopes: SCOPES });
    const { tenantId } = await emulator.admin.createOrg({ name: "Phases Org" });
    await emulator.admin.link(app.clientId, tenantId);

    // The layout of a project: cdktf.json at the root, hooks run in cdktf.out/stacks/<stack>.
    writeFileSync(join(scratch, "cdktf.json"), "{}");
    const stackDir = join(scratch, "cdktf.out", "stacks", "bench");
    mkdirSync(stackDir, { recursive: true });
    const phasesFile = join(scratch, "phases.jsonl");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 3).toString("base64"),
      BENCH_SECRET: app.clientSecret ?? "",
    };

    const backend = { type: "local", dir: "../../../state" } as const;
    const secret = { source: "env", name: "BENCH_SECRET" } as const;
    const registration = (document: string): HookSpec => ({
      version: 1,
      kind: "app_registration",
      document,
      backend,
      appKind: "custom_connection",
      appName: "Phases",
      clientId: app.clientId,
      clientSecret: secret,
      redirectUris: [],
      scopes: SCOPES,
      createdAfterGranularScopes: false,
    });
    const link = (document: string, i: number): HookSpec => ({
      version: 1,
      kind: "custom_connection_link",
      document,
      backend,
      app: { document: `bench/App${i}`, backend, appName: "Phases", clientId: app.clientId, clientSecret: secret, scopes: SCOPES },
      waitForLinkSeconds: 0,
      unlinkOnDestroy: false,
    });
    const variants: Variant[] = [
      { label: "node -e 0 (floor)" },
      { label: "hook init, new document", hook: (i) => ({ verb: "init", spec: registration(`bench/App${i}`) }) },
      { label: "hook apply, registration", hook: (i) => ({ verb: "apply", spec: registration(`bench/App${i}`) }) },
      { label: "hook apply, link", hook: (i) => ({ verb: "apply", spec: link(`bench/Link${i}`, i) }) },
      { label: "hook init, existing (no-op)", hook: (i) => ({ verb: "init", spec: registration(`bench/App${i}`) }) },
      { label: "hook apply, link, unchanged", hook: (i) => ({ verb: "apply", spec: link(`bench/Link${i}`, i) }) },
    ];

    const wall = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    const phases = new Map<string, Record<string, number>[]>(variants.map((v) => [v.label, []]));
    for (let i = 0; i < runs; i++) {
      for (const traced of [false, true]) {
        for (const variant of variants) {
          if (variant.hook === undefined) {
            if (!traced) wall.get(variant.label)!.push(await run(["-e", "0"], stackDir, env));
            continue;
          }
          // Traced runs use their own documents, so both passes see the same state transitions.
          const { verb, spec } = variant.hook(traced ? i + runs : i);
          const hookEnv: NodeJS.ProcessEnv = {
            ...env,
            CDKTF_XERO_SPEC: JSON.stringify(spec),
            ...(verb === "init" ? {} : { CDKTF_XERO_SPEC_SHA256: hashHookSpec(spec), CDKTF_XERO_GENERATION: "0" }),
            ...(traced ? { [PHASES_FILE_ENV]: phasesFile } : {}),
          };
          rmSync(phasesFile, { force: true });
          // The traced run calls the plain CLI's runCliAsProcess itself: main.js as the main module
          // would hand `hook <verb>` to the hook bundle, whose own module copies the tracer never sees.
          const plainCli = `require(${JSON.stringify(PLAIN_CLI)}).runCliAsProcess(process.argv.slice(1))`;
          const args = traced ? ["-r", TRACER, "-e", plainCli, "hook", verb] : [LAUNCHER, "hook", verb];
          const ms = await run(args, stackDir, hookEnv);
          if (!traced) wall.get(variant.label)!.push(ms);
          else phases.get(variant.label)!.push(JSON.parse(readFileSync(phasesFile, "utf8")) as Record<string, number>);
        }
      }
    }

    const floor = median(wall.get(variants[0]!.label)!);
    const lines = [`one hook process (the hook launcher, local backend, emulator on loopback), ${runs} runs each; medians in ms`, ""];
    for (const variant of variants) {
      const ms = median(wall.get(variant.label)!);
      lines.push(`${variant.label.padEnd(30)} wall ${ms.toFixed(1).padStart(6)}  (${(ms / floor).toFixed(2)}x the floor, +${(ms - floor).toFixed(1)})`);
    }
    for (const variant of variants.slice(1)) {
      const samples = phases.get(variant.label)!;
      lines.push("", `${variant.label} (traced, plain CLI):`);
      const names = [...new Set(samples.flatMap((sample) => Object.keys(sample)))];
      for (const name of names) {
        lines.push(`  ${name.padEnd(36)} ${median(samples.map((sample) => sample[name] ?? 0)).toFixed(2).padStart(7)}`);
      }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await emulator.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
