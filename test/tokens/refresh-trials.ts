import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { EmulatorClock } from "../../emulator/clock";
import type { OAuthConnectionSpec } from "../../contract/connection";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { storeConsent } from "../../providers/lifecycle/connection/consent-record";
import { documentTokenSetStore } from "../../providers/lifecycle/connection/token-set-store";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { ConsentRequiredError } from "../../providers/tokens/errors";
import { vendAccessToken, type RefreshFailpoint, type TokenSetStore } from "../../providers/tokens/locked-refresh";
import type { TokenSetRecord } from "../../providers/tokens/token-set-record";
import { XeroClient, type XeroClientOptions } from "../../providers/xero/client";
import type { XeroIdTokenClaims } from "../../providers/xero/id-token";
import type { XeroTokenSet } from "../../providers/xero/parse-token";
import { createState } from "../../providers/xero/pkce";
import { TEST_STATE_KEY } from "../lifecycle/support";
import { requirePostgres } from "../support/postgres";
import { authorizationCode, emulatorEnv } from "../xero/emulator-fixture";

/**
 * "Never lose a token set" trials (issue 12): a token process is SIGKILLed somewhere in a refresh
 * (at a failpoint, or after a random delay), the emulator's clock is moved past Xero's 30-minute
 * grace or not, and a new vend follows. Every trial must end with a working token set (the vended
 * access token lists the connections, and the stored refresh token refreshes again), or, only when
 * the clock was moved past the grace after Xero had rotated the token the killed process never
 * stored, with `needs_consent` and the `connect` instruction.
 *
 * A lane is one backend (local or pg) with its own emulator (its clock moves for that lane alone),
 * its own Web app and one connection document whose token set each trial continues from.
 */

/** The process the trials kill: the compiled CLI, as consumers run `cdktf-xero token`. */
export const TOKEN_ENTRY = path.resolve(__dirname, "../../dist/cli/main.js");
/** `cdktf-xero token <document> --backend <flag>`, as a consumer runs it. */
export function tokenArgs(document: string, backendFlag: string): string[] {
  return [TOKEN_ENTRY, "token", document, "--backend", backendFlag];
}

export const TOKEN_PATH = "/identity/connect/token";
export const DOCUMENT = "crm/Connection";
const SECRET_ENV = "CRM_CLIENT_SECRET";
const REDIRECT_URI = "http://localhost:8765/callback";
const SCOPES = ["openid", "profile", "email", "offline_access", "accounting.invoices"];
/** Past Xero's 30-minute grace for the old refresh token. */
export const PAST_GRACE_SECONDS = 31 * 60;

export type BackendKind = "local" | "pg";

/** Where a kill left the refresh, judged from the document and the emulator's log. */
export type Cut =
  /** Nothing written yet: the stored set is the one the trial began with, no write-ahead record. */
  | "before-record"
  /** The write-ahead record is stored and Xero never processed the refresh. */
  | "recorded"
  /** Xero rotated the token (it answered 200) and the answer was never stored. */
  | "rotated"
  /** The new token set is stored. */
  | "written";

export interface Kill {
  readonly failpoint?: RefreshFailpoint;
  /** Milliseconds after spawn. */
  readonly afterMs?: number;
  /**
   * The emulator answers the refresh this long after rotating the token (a slow way back), so a
   * random kill lands between Xero's rotation and the write more often than the few milliseconds
   * that window otherwise lasts.
   */
  readonly slowAnswerMs?: number;
}

export interface TrialOutcome {
  readonly backend: BackendKind;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly wallMs: number;
  readonly slowAnswerMs: number | undefined;
  /** When the killed process's token request reached the emulator, ms after spawn (undefined: none did). */
  readonly requestAtMs: number | undefined;
  readonly cut: Cut;
  readonly pastGrace: boolean;
  readonly end: "working" | "needs_consent" | "broken";
  /** Problems found; empty when the trial passed. */
  readonly problems: readonly string[];
}

export interface Lane {
  readonly backend: BackendKind;
  readonly emulator: RunningEmulator;
  /** The emulator's clock, shared with the in-process vends so both sides agree on every expiry. */
  readonly clock: EmulatorClock;
  readonly address: StateBackendAddress;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly client: XeroClient;
  /** Another client of the lane's app, on the lane's clock, with `options` (e.g. a recorded sleep). */
  clientWith(options: Partial<XeroClientOptions>): XeroClient;
  /** The lane's backend, opened once: the test's own reads and vends go through it. */
  readonly state: StateBackend;
  close(): Promise<void>;
}

/** A lane: emulator, app, signed-in user, backend, and a consented connection document. */
export async function openLane(backend: BackendKind): Promise<Lane> {
  const clock = new EmulatorClock(undefined);
  const emulator = await startEmulator({ autoConsent: true }, { clock });
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-token-faults-"));
  const schema = `token_faults_${randomBytes(4).toString("hex")}`;
  const address: StateBackendAddress = backend === "local" ? { type: "local", dir: path.join(cwd, "state") } : { type: "pg", schema };
  const app = await emulator.admin.createApp({ kind: "web", name: "CRM", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
  const clientSecret = app.clientSecret ?? "";
  const { userId } = await emulator.admin.createUser({ email: "ada.lovelace@example.com" });
  const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
  await emulator.admin.consent({ userId, tenantIds: [tenantId] });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ...emulatorEnv(emulator),
    CDKTF_XERO_STATE_KEY: TEST_STATE_KEY,
    [SECRET_ENV]: clientSecret,
    ...(backend === "pg" ? { PG_CONN_STR: requirePostgres() } : {}),
  };
  const clientWith = (options: Partial<XeroClientOptions>): XeroClient =>
    new XeroClient({ clientId: app.clientId, clientSecret, env, clock, retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...options });
  const client = clientWith({});
  const state = await openStateBackend(address, { env, cwd, logger: { warn: () => undefined } });
  const lane: Lane = {
    backend,
    emulator,
    clock,
    address,
    cwd,
    env,
    client,
    clientWith,
    state,
    async close() {
      await state.close();
      await emulator.close();
      await fs.rm(cwd, { recursive: true, force: true });
      if (backend === "pg") await dropSchema(schema);
    },
  };
  const spec: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: DOCUMENT,
    backend: address,
    app: { document: "crm/App", backend: address, appName: "CRM", appKind: "web", clientId: app.clientId, clientSecret: { source: "env", name: SECRET_ENV }, redirectUris: [REDIRECT_URI], scopes: SCOPES },
    tenants: [],
    scopes: SCOPES,
    keepAliveSeconds: 30 * 86_400,
    onDestroy: "retain",
  };
  const tokens = await consent(lane);
  const tenants = await client.listConnections(tokens.accessToken);
  await storeConsent(state, spec, { tokens, identity: { email: "ada.lovelace@example.com" } as XeroIdTokenClaims, tenants, redirectUri: REDIRECT_URI }, clock.now());
  return lane;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: requirePostgres() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A new consent (auto-consent in the emulator) and its token set. */
async function consent(lane: Pick<Lane, "client">): Promise<XeroTokenSet> {
  const state = createState();
  const code = await authorizationCode(lane.client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state }), state);
  return lane.client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
}

export function storeOf(lane: Lane): TokenSetStore {
  return documentTokenSetStore(lane.state, DOCUMENT, { backendFlag: `--backend ${backendFlag(lane)}` });
}

function backendFlag(lane: Lane): string {
  return formatBackendAddress(lane.address);
}

/**
 * Polls the emulator until it has served everything it received: a condition, not a time window.
 * What a killed process wrote is in the kernel's socket queue before it dies, and the server has
 * read it once one more admin round trip has gone through its event loop: the first call.
 */
async function settled(emulator: RunningEmulator): Promise<void> {
  await emulator.admin.inflightRequests();
  while ((await emulator.admin.inflightRequests()) !== 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

interface ChildRun {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTokenProcess(lane: Lane, kill: Kill = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...lane.env, ...(kill.failpoint === undefined ? {} : { CDKTF_XERO_FAILPOINT: `${kill.failpoint}:kill` }) };
    const child = spawn(process.execPath, tokenArgs(DOCUMENT, backendFlag(lane)), { cwd: lane.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = kill.afterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ signal, code, wallMs: performance.now() - started, stdout, stderr });
    });
  });
}

/**
 * Makes the lane's document hold a working token set whose access token is stale, so the next vend
 * refreshes: a new consent when the last trial ended in needs_consent. Returns the refresh token it holds.
 */
export async function prepare(lane: Lane, store: TokenSetStore = storeOf(lane)): Promise<string> {
  let { serial, record } = await store.read();
  if (record.needsConsent !== undefined || record.tokenSet === undefined) {
    const tokens = await consent(lane);
    const fresh: TokenSetRecord = {
      tokenSet: { refreshToken: tokens.refreshToken ?? "", refreshTokenIssuedAt: lane.clock.now(), accessToken: tokens.accessToken, accessTokenExpiresAt: tokens.expiresAt, scopes: tokens.scopes },
    };
    serial = await store.write(serial, fresh);
    record = fresh;
  }
  if (record.refreshStarted !== undefined) throw new Error("the last trial left a write-ahead record behind");
  const tokenSet = record.tokenSet!;
  // Stale on the real clock the token process runs on, and so on the lane's clock too (never behind it).
  await store.write(serial, { tokenSet: { ...tokenSet, accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
  return tokenSet.refreshToken;
}

/** Runs one trial; never throws for a protocol problem (they are returned), only for a broken test setup. */
export async function runTrial(lane: Lane, kill: Kill, pastGrace: boolean): Promise<TrialOutcome> {
  const problems: string[] = [];
  const store = storeOf(lane);
  const before = await prepare(lane, store);
  await lane.emulator.admin.clearRequests();
  if (kill.slowAnswerMs !== undefined) await lane.emulator.admin.injectFault({ path: TOKEN_PATH, delayAfterCommitMs: kill.slowAnswerMs, count: 1 });
  const spawnedAt = lane.clock.now().getTime();
  const child = await runTokenProcess(lane, kill);
  await settled(lane.emulator);
  // Unused when the process died before its refresh: not for the new vend.
  await lane.emulator.admin.clearFaults();

  // What the kill left.
  const refreshes = (await lane.emulator.admin.requests()).filter((entry) => entry.path === TOKEN_PATH);
  const rotated = refreshes.some((entry) => entry.status === 200);
  const requestAtMs = refreshes[0] === undefined ? undefined : Date.parse(refreshes[0].time) - spawnedAt;
  const cutRecord = (await store.read()).record;
  const cut: Cut =
    cutRecord.tokenSet !== undefined && cutRecord.tokenSet.refreshToken !== before ? "written"
    : cutRecord.refreshStarted !== undefined ? (rotated ? "rotated" : "recorded")
    : "before-record";
  if (cutRecord.tokenSet === undefined) problems.push("after the kill: the document holds no token set");
  if (cutRecord.needsConsent !== undefined) problems.push(`after the kill: needs_consent recorded by the killed process (${cutRecord.needsConsent.reason})`);
  if (cut === "written" && cutRecord.refreshStarted !== undefined) problems.push("after the kill: a new set stored with the write-ahead record still set");
  if (refreshes.length > 1) problems.push(`after the kill: ${refreshes.length} token requests from one process`);
  if (refreshes.some((entry) => entry.status !== 200 && entry.status !== "dropped")) problems.push(`after the kill: the token endpoint refused: ${refreshes.map((e) => `${e.status} ${e.note ?? ""}`).join("; ")}`);
  const expectedCut: Partial<Record<RefreshFailpoint, Cut>> = { "refresh-recorded": "recorded", "refresh-answered": "rotated", "refresh-written": "written" };
  if (kill.failpoint !== undefined && (child.signal !== "SIGKILL" || cut !== expectedCut[kill.failpoint])) {
    problems.push(`the process was to die at ${kill.failpoint} (cut ${expectedCut[kill.failpoint]}) but ended with ${child.signal ?? `code ${child.code}`}, cut ${cut}: ${child.stderr.trim()}`);
  }
  // Xero's answer held back: the process waits until its kill, or, should the kill come later than
  // the client's request deadline (a starved test process on a loaded machine), gives up with the
  // outcome unknown. That is the process's documented behaviour, not a kill: the kill is missed and
  // made up for, and the new vend below still has to find the token set working.
  const gaveUpOnHeldAnswer =
    kill.slowAnswerMs !== undefined &&
    child.signal === null &&
    child.code === 1 &&
    cut === "rotated" &&
    /\bXERO_REFRESH_OUTCOME_UNKNOWN\b/.test(child.stderr) &&
    /no answer within \d+ ms/.test(child.stderr);
  if (child.signal === null && !gaveUpOnHeldAnswer && (child.code !== 0 || cut !== "written")) {
    problems.push(`the process was not killed, yet ended with code ${child.code}, cut ${cut}: ${child.stderr.trim()}`);
  }
  if (child.code === 0 && (await lane.client.listConnections(child.stdout.trim())).length !== 1) problems.push("the token the process printed lists no connection");

  if (pastGrace) await lane.emulator.admin.advanceClock(PAST_GRACE_SECONDS);
  await lane.emulator.admin.clearRequests();
  const end = await vendAgain(lane, store, problems);
  if (end === "needs_consent" && !(pastGrace && cut === "rotated")) {
    problems.push(`needs_consent after a kill cut at ${cut}${pastGrace ? "" : " within the grace"}: only a rotation lost past the grace may end so`);
  }
  return { backend: lane.backend, signal: child.signal, code: child.code, wallMs: child.wallMs, slowAnswerMs: kill.slowAnswerMs, requestAtMs, cut, pastGrace, end, problems };
}

/** The new vend after the kill, and the checks of where it ended. */
async function vendAgain(lane: Lane, store: TokenSetStore, problems: string[]): Promise<TrialOutcome["end"]> {
  try {
    const vended = await vendAccessToken(store, lane.client, { clock: lane.clock });
    if ((await lane.client.listConnections(vended.accessToken)).length !== 1) problems.push("the vended access token lists no connection");
    const { record } = await store.read();
    if (record.refreshStarted !== undefined || record.needsConsent !== undefined) problems.push("after the new vend: a write-ahead record or needs_consent is still stored");
    // That the stored refresh token is Xero's live one, the next trial's refresh proves (its token
    // requests are checked like these), and refreshWorks after the last.
    const invalid = (await lane.emulator.admin.requests()).filter((entry) => entry.path === TOKEN_PATH && entry.status !== 200);
    if (invalid.length > 0) problems.push(`the token endpoint refused during the new vend: ${invalid.map((e) => `${e.status} ${e.note ?? ""}`).join("; ")}`);
    return "working";
  } catch (error) {
    if (!(error instanceof ConsentRequiredError)) {
      problems.push(`the new vend failed: ${(error as Error).message}`);
      return "broken";
    }
    if (!error.message.includes(`Run \`cdktf-xero connect ${DOCUMENT} --backend ${backendFlag(lane)}\``)) problems.push(`needs_consent without the connect command: ${error.message}`);
    const { record } = await store.read();
    if (record.needsConsent === undefined) problems.push("needs_consent thrown but not recorded");
    // Every later call says the same, and never calls the token endpoint again.
    await lane.emulator.admin.clearRequests();
    try {
      await vendAccessToken(store, lane.client, { clock: lane.clock });
      problems.push("a later vend succeeded after needs_consent");
    } catch (later) {
      if (!(later instanceof ConsentRequiredError)) problems.push(`a later vend failed otherwise: ${(later as Error).message}`);
    }
    const calls = (await lane.emulator.admin.requests()).filter((entry) => entry.path === TOKEN_PATH).length;
    if (calls > 0) problems.push(`a later vend after needs_consent called the token endpoint ${calls} times`);
    return "needs_consent";
  }
}

/**
 * Problems with the lane's stored token set after its last trial: unless it ended in needs_consent,
 * its refresh token must refresh (it is Xero's live one) and the new access token list the connection.
 */
export async function refreshWorks(lane: Lane): Promise<string[]> {
  const store = storeOf(lane);
  if ((await store.read()).record.needsConsent !== undefined) return [];
  try {
    const vended = await vendAccessToken(store, lane.client, { clock: lane.clock, forceRefresh: true });
    return (await lane.client.listConnections(vended.accessToken)).length === 1 ? [] : ["the access token of a forced refresh lists no connection"];
  } catch (error) {
    return [`the stored token set does not refresh: ${(error as Error).message}`];
  }
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
