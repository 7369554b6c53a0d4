/**
 * Benchmark (issue 12): vending access tokens.
 * (a) `cdktf-xero token` with a cached access token, as a fresh process, against a bare Node script
 *     that reads one file (the same state document). Target: median ratio <= 1.3.
 * (b) `cdktf-xero token` that refreshes (the access token made stale before each run), against a bare
 *     axios refresh-token request in a fresh process (which keeps the rotated token in one file).
 *     Target: median ratio <= 1.3.
 * (c) `getAccessToken` in process with a cached token: p50 and p99 per backend, on a backend the
 *     caller opened once and on an address (opened and closed by each call).
 *
 *   npm run build && node dist/bench/token.js [--runs N] [--iterations N]
 *
 * The emulator runs in this process (auto-consent); process runs alternate (ABBA) so drift in the
 * machine's load hits both sides alike. Wall time is spawn to exit: Node start-up and module loading
 * included, which is what a consumer pays per `token` call.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../emulator";
import type { OAuthConnectionSpec } from "../contract/connection";
import { formatBackendAddress, localDocumentFile, type StateBackendAddress } from "../contract/state-address";
import { storeConsent } from "../providers/lifecycle/connection/consent-record";
import { documentTokenSetStore } from "../providers/lifecycle/connection/token-set-store";
import { openStateBackend, type StateBackend } from "../providers/state";
import { getAccessToken } from "../providers/tokens/get-access-token";
import { XeroClient } from "../providers/xero/client";
import type { XeroIdTokenClaims } from "../providers/xero/id-token";
import type { XeroTokenSet } from "../providers/xero/parse-token";
import { createState } from "../providers/xero/pkce";
import { startThrowawayPostgres } from "../scripts/throwaway-postgres";
import { integerOption, timeNode } from "./process-timing";
import { formatSummary, median, percentile, summarize } from "./stats";

const TARGET_RATIO = 1.3;
const WARMUP = 20;
const DOCUMENT = "crm/Connection";
const SECRET_ENV = "CRM_CLIENT_SECRET";
const REDIRECT_URI = "http://localhost:8765/callback";
const SCOPES = ["offline_access", "accounting.invoices"];
const STATE_KEY = `bench:${randomBytes(32).toString("base64")}`;
const CLI = path.join(__dirname, "..", "cli", "main.js");

interface World {
  readonly emulator: RunningEmulator;
  readonly client: XeroClient;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly env: NodeJS.ProcessEnv;
}

async function world(emulator: RunningEmulator): Promise<World> {
  const app = await emulator.admin.createApp({ kind: "web", name: "CRM", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
  const { userId } = await emulator.admin.createUser({ email: "ada.lovelace@example.com" });
  const { tenantId } = await emulator.admin.createOrg({ name: "Bench Company" });
  await emulator.admin.consent({ userId, tenantIds: [tenantId] });
  const urls = { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl };
  const clientSecret = app.clientSecret ?? "";
  return {
    emulator,
    client: new XeroClient({ clientId: app.clientId, clientSecret, env: urls }),
    clientId: app.clientId,
    clientSecret,
    env: { PATH: process.env["PATH"] ?? "", ...urls, CDKTF_XERO_STATE_KEY: STATE_KEY, [SECRET_ENV]: clientSecret },
  };
}

/** A consent through the emulator (auto-consent), as `connect` gets one. */
async function consentTokens(w: World): Promise<XeroTokenSet> {
  const state = createState();
  const redirect = await fetch(w.client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state }), { redirect: "manual" });
  const code = new URL(redirect.headers.get("location") ?? "http://invalid/").searchParams.get("code");
  if (code === null) throw new Error(`authorize answered ${redirect.status} without a code`);
  return w.client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
}

/** A connection document on `address` holding a fresh consent; the backend is left open. */
async function connection(w: World, address: StateBackendAddress, env: NodeJS.ProcessEnv, cwd: string): Promise<StateBackend> {
  const backend = await openStateBackend(address, { env, cwd, logger: { warn: () => undefined } });
  const spec: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: DOCUMENT,
    backend: address,
    app: { document: "crm/App", backend: address, appName: "CRM", appKind: "web", clientId: w.clientId, clientSecret: { source: "env", name: SECRET_ENV }, redirectUris: [REDIRECT_URI], scopes: SCOPES },
    tenants: [],
    scopes: SCOPES,
    keepAliveSeconds: 30 * 86_400,
    onDestroy: "retain",
  };
  const tokens = await consentTokens(w);
  const tenants = await w.client.listConnections(tokens.accessToken);
  await storeConsent(backend, spec, { tokens, identity: { email: "ada.lovelace@example.com" } as XeroIdTokenClaims, tenants, redirectUri: REDIRECT_URI }, new Date());
  return backend;
}

/** Makes the stored access token stale, so the next `token` refreshes. */
async function makeStale(backend: StateBackend): Promise<void> {
  const store = documentTokenSetStore(backend, DOCUMENT);
  const { serial, record } = await store.read();
  if (record.tokenSet === undefined) throw new Error("no token set stored");
  await store.write(serial, { tokenSet: { ...record.tokenSet, accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
}

/** Runs `a` and `b` alternately (ABBA), each after `beforeA`/`beforeB` (untimed); returns their wall times. */
async function interleaved(
  runs: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
  before: { a?: () => Promise<void>; b?: () => Promise<void> } = {},
): Promise<{ a: number[]; b: number[] }> {
  const times = { a: [] as number[], b: [] as number[] };
  const runA = async (): Promise<void> => {
    await before.a?.();
    times.a.push(await a());
  };
  const runB = async (): Promise<void> => {
    await before.b?.();
    times.b.push(await b());
  };
  // One unmeasured run of each warms the OS file cache and the emulator.
  await before.a?.();
  await a();
  await before.b?.();
  await b();
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await runA();
      await runB();
    } else {
      await runB();
      await runA();
    }
  }
  return times;
}

function ratioLines(title: string, labelA: string, labelB: string, times: { a: number[]; b: number[] }): string[] {
  const ratio = median(times.a) / median(times.b);
  return [
    title,
    formatSummary(labelA, summarize(times.a)),
    formatSummary(labelB, summarize(times.b)),
    `ratio (median ${labelA} / median baseline): ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? "met" : "MISSED"})`,
  ];
}

async function inProcess(label: string, iterations: number, vend: () => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + iterations; i++) {
    const start = performance.now();
    await vend();
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  const f = (ms: number): string => `${ms.toFixed(2).padStart(7)} ms`;
  return `${label.padEnd(44)} p50 ${f(percentile(times, 50))}  p99 ${f(percentile(times, 99))}  (n ${times.length})`;
}

async function benchInProcess(w: World, address: StateBackendAddress, env: NodeJS.ProcessEnv, cwd: string, iterations: number): Promise<string[]> {
  const backend = await connection(w, address, env, cwd);
  try {
    const name = address.type;
    return [
      await inProcess(`getAccessToken, ${name}, backend opened once`, iterations, () => getAccessToken({ backend, document: DOCUMENT, env, cwd })),
      await inProcess(`getAccessToken, ${name}, address (opened per call)`, iterations, () => getAccessToken({ backend: address, document: DOCUMENT, env, cwd })),
    ];
  } finally {
    await backend.close();
  }
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = integerOption(argv, "--runs", 15, 10);
  const iterations = integerOption(argv, "--iterations", 300, 10);
  const emulator = await startEmulator({ autoConsent: true, rateLimits: { perAppPerMinute: 1_000_000 } });
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-bench-token-"));
  const lines: string[] = [];
  try {
    const w = await world(emulator);
    const local: StateBackendAddress = { type: "local", dir: path.join(root, "state") };
    const backend = await connection(w, local, w.env, root);
    const tokenArgs = [CLI, "token", DOCUMENT, "--backend", formatBackendAddress(local)];
    const baselineEnv = {
      ...w.env,
      BENCH_FILE: path.join(local.dir, localDocumentFile(DOCUMENT)),
      BENCH_REFRESH_TOKEN_FILE: path.join(root, "baseline-refresh-token"),
      BENCH_CLIENT_ID: w.clientId,
      BENCH_CLIENT_SECRET: w.clientSecret,
    };
    try {
      const cached = await interleaved(runs, () => timeNode(tokenArgs, w.env, { cwd: root }), () => timeNode([path.join(__dirname, "token-baseline-read.js")], baselineEnv));
      lines.push(...ratioLines(`(a) a cached access token, fresh process, ${runs} interleaved runs each`, "cdktf-xero token", "bare read of one file (baseline)", cached), "");

      await fs.writeFile(baselineEnv.BENCH_REFRESH_TOKEN_FILE, (await consentTokens(w)).refreshToken ?? "", { mode: 0o600 });
      const refreshed = await interleaved(
        runs,
        () => timeNode(tokenArgs, w.env, { cwd: root }),
        () => timeNode([path.join(__dirname, "token-baseline-refresh.js")], baselineEnv),
        { a: () => makeStale(backend) },
      );
      lines.push(...ratioLines(`(b) a refresh, fresh process, ${runs} interleaved runs each`, "cdktf-xero token", "bare axios refresh (baseline)", refreshed), "");
    } finally {
      await backend.close();
    }

    lines.push(`(c) getAccessToken in process, a cached token, ${iterations} calls after ${WARMUP} warm-up`);
    lines.push(...(await benchInProcess(w, local, w.env, root, iterations)));
    const pgSchema = `bench_token_${randomBytes(4).toString("hex")}`;
    const given = process.env["PG_CONN_STR"];
    const server = given === undefined || given === "" ? await startThrowawayPostgres() : undefined;
    try {
      const pgEnv = { ...w.env, PG_CONN_STR: server?.connectionString ?? given ?? "" };
      lines.push(...(await benchInProcess(w, { type: "pg", schema: pgSchema }, pgEnv, root, iterations)));
    } finally {
      if (server === undefined) await dropSchema(given ?? "", pgSchema);
      await server?.stop();
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await emulator.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench token failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
