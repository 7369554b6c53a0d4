/**
 * Benchmark: one full secret rotation, as an operator and a pipeline run it (`cdktf-xero secret
 * stage` with the secret on stdin, then the rotation's `hook apply` through the hook launcher as
 * Terraform runs it, each a fresh process), against one plain client-credentials exchange from a
 * fresh process. No target: the rotation does two processes, two proofs against Xero and four
 * locked state writes, so the ratio says what that costs over the least a hook can do.
 *
 *   npm run build && node dist/bench/rotation.js [--runs N]
 *
 * The emulator runs in this process. Each rotation starts from a fresh local state directory with
 * the app registered and its rotation bootstrapped (set up in-process, not measured). Runs alternate
 * (ABBA) so drift in machine load hits both sides alike.
 */
import { integerOption, timeNode } from "./process-timing";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { runHook } from "../providers/lifecycle";
import { hashHookSpec, HookEnv, type HookSpec } from "../contract/hook-spec";
import type { AppRegistrationSpec } from "../contract/registration";
import type { SecretRotationSpec } from "../contract/rotation";
import { formatSummary, median, summarize } from "./stats";

const STATE_KEY = `bench:${Buffer.alloc(32, 0x42).toString("base64")}`;
const SCOPES = ["accounting.invoices.read"];
const CLI = join(__dirname, "../cli/main.js");
const LAUNCHER = join(__dirname, "../cli/hook-launcher.js");

function hookEnv(base: NodeJS.ProcessEnv, spec: HookSpec, generation: number): NodeJS.ProcessEnv {
  return { ...base, [HookEnv.spec]: JSON.stringify(spec), [HookEnv.specSha256]: hashHookSpec(spec), [HookEnv.generation]: String(generation) };
}

/** A state directory with the app registered and its rotation bootstrapped, plus a new secret to stage. */
async function prepared(emulator: RunningEmulator, base: NodeJS.ProcessEnv, clientId: string, secret: string) {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-xero-bench-rotation-"));
  const backend = { type: "local" as const, dir: "state" };
  const app = { document: "bench/App", backend, appName: "Bench", clientId, clientSecret: { source: "env" as const, name: "BENCH_SECRET" }, scopes: SCOPES };
  const registration: AppRegistrationSpec = {
    version: 1, kind: "app_registration", ...app, appKind: "custom_connection", redirectUris: [], createdAfterGranularScopes: true,
  };
  const rotation: SecretRotationSpec = {
    version: 1, kind: "secret_rotation", document: "bench/App/rotation", backend,
    app: { ...app, appKind: "custom_connection" }, maxAgeSeconds: 90 * 86_400, keepPreviousSeconds: 7 * 86_400, onOverdue: "warn",
  };
  const quiet = { write: () => undefined };
  for (const spec of [registration, rotation]) {
    await runHook("apply", { env: { ...hookEnv(base, spec, 0), BENCH_SECRET: secret }, cwd: dir, stdout: quiet, stderr: quiet });
  }
  const candidate = (await emulator.admin.addSecret(clientId)).clientSecret;
  return { dir, rotation, candidate };
}

async function main(): Promise<void> {
  const runs = integerOption(process.argv.slice(2), "--runs", 15, 5);
  const emulator = await startEmulator({ rateLimits: { perAppPerMinute: 1_000_000 } });
  try {
    const created = await emulator.admin.createApp({ kind: "custom_connection", name: "Bench", scopes: SCOPES });
    const { tenantId } = await emulator.admin.createOrg({ name: "Bench Company" });
    await emulator.admin.link(created.clientId, tenantId);
    const secret = created.clientSecret ?? "";
    const base: NodeJS.ProcessEnv = {
      PATH: process.env["PATH"] ?? "",
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: STATE_KEY,
    };
    const baselineScript = join(__dirname, "rotation-baseline.js");
    const baselineEnv = { ...base, BENCH_CLIENT_ID: created.clientId, BENCH_CLIENT_SECRET: secret };

    const rotate = async (): Promise<number> => {
      // Every rotation's old CURRENT is the app's first secret; each adds one more (secretOverlap keeps all valid).
      const { dir, rotation, candidate } = await prepared(emulator, base, created.clientId, secret);
      try {
        const stage = await timeNode([CLI, "secret", "stage", "bench/App", "--backend", "local:state"], base, { cwd: dir, stdin: candidate });
        const apply = await timeNode([LAUNCHER, "hook", "apply"], { ...hookEnv(base, rotation, 1), BENCH_SECRET: secret }, { cwd: dir });
        return stage + apply;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const exchange = (): Promise<number> => timeNode([baselineScript], baselineEnv, { cwd: tmpdir() });

    // One unmeasured run of each warms the OS file cache and the emulator.
    await rotate();
    await exchange();
    const rotation: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        rotation.push(await rotate());
        baseline.push(await exchange());
      } else {
        baseline.push(await exchange());
        rotation.push(await rotate());
      }
    }
    const ratio = median(rotation) / median(baseline);
    process.stdout.write(
      [
        `rotation: secret stage + hook apply (two fresh processes) vs one client-credentials exchange (one fresh process), ${runs} interleaved runs each`,
        formatSummary("full rotation", summarize(rotation)),
        formatSummary("client credentials (baseline)", summarize(baseline)),
        `ratio (median rotation / median baseline): ${ratio.toFixed(2)}`,
        "",
      ].join("\n"),
    );
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
