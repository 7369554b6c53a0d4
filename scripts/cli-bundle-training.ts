/**
 * The training runs of scripts/build-cli-bundles.ts: each bundle runs its command for real, in the
 * build's process, against the embedded emulator and a scratch local state directory, so the code
 * cache saved afterwards holds the functions that command compiles. Output is discarded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OAuthConnectionSpec } from "../contract/connection";
import { hashHookSpec, HookEnv, type HookSpec } from "../contract/hook-spec";
import { formatBackendAddress, type StateBackendAddress } from "../contract/state-address";
import { startEmulator, type RunningEmulator } from "../emulator";
import { storeConsent } from "../providers/lifecycle/connection/consent-record";
import { documentTokenSetStore } from "../providers/lifecycle/connection/token-set-store";
import { openStateBackend } from "../providers/state";
import { XeroClient } from "../providers/xero/client";
import type { XeroIdTokenClaims } from "../providers/xero/id-token";
import { createState } from "../providers/xero/pkce";

/** What every training run shares: the emulator, a state directory, the environment (each training adds its secrets). */
export interface Training {
  readonly emulator: RunningEmulator;
  readonly scratch: string;
  readonly backend: StateBackendAddress;
  readonly env: Record<string, string | undefined>;
  close(): Promise<void>;
}

const SECRET_ENV = "TRAINING_CLIENT_SECRET";
const CONNECTION_SECRET_ENV = "TRAINING_CONNECTION_CLIENT_SECRET";
const REGISTRATION_DOCUMENT = "training/App";
const LINK_DOCUMENT = "training/Link";
const CONNECTION_DOCUMENT = "training/Connection";

export async function startTraining(): Promise<Training> {
  // axios honours HTTP(S)_PROXY and npm's proxy settings (npm_config_proxy, set under `npm run`);
  // the emulator is on loopback, which no proxy should see.
  for (const name of ["no_proxy", "NO_PROXY"]) process.env[name] = [process.env[name], "127.0.0.1", "localhost"].filter(Boolean).join(",");
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-bundle-training-"));
  // Auto-consent: the token training gets a user's consent without a browser.
  const emulator = await startEmulator({ autoConsent: true });
  return {
    emulator,
    scratch,
    backend: { type: "local", dir: join(scratch, "state") },
    env: {
      PATH: process.env["PATH"],
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 1).toString("base64"),
    },
    async close() {
      await emulator.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Init and apply of a linked Custom Connection's registration and link: the hooks a deploy runs most. */
export async function trainHookBundle(bundle: typeof import("../cli/hook-bundle-entry"), training: Training): Promise<void> {
  bundle.loadHookModules();
  const { emulator, backend } = training;
  const scopes = ["accounting.invoices.read"];
  const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Training", scopes });
  const { tenantId } = await emulator.admin.createOrg({ name: "Training Org" });
  await emulator.admin.link(app.clientId, tenantId);
  const clientSecret = { source: "env", name: SECRET_ENV } as const;
  const appName = "Training";
  const registration: HookSpec = {
    version: 1,
    kind: "app_registration",
    document: REGISTRATION_DOCUMENT,
    backend,
    appKind: "custom_connection",
    appName,
    clientId: app.clientId,
    clientSecret,
    redirectUris: [],
    scopes,
    createdAfterGranularScopes: false,
  };
  const link: HookSpec = {
    version: 1,
    kind: "custom_connection_link",
    document: LINK_DOCUMENT,
    backend,
    app: { document: registration.document, backend, appName, clientId: app.clientId, clientSecret, scopes },
    expectedTenantId: tenantId,
    waitForLinkSeconds: 0,
    unlinkOnDestroy: false,
  };
  training.env[SECRET_ENV] = app.clientSecret;
  const env = training.env;
  for (const spec of [registration, link]) {
    const run = { ...env, [HookEnv.spec]: JSON.stringify(spec), [HookEnv.specSha256]: hashHookSpec(spec), [HookEnv.generation]: "0" };
    await bundle.runHookSilently("init", run, training.scratch);
    await bundle.runHookSilently("apply", run, training.scratch);
  }
}

/**
 * `token` for a consented connection with a cached access token: what consumers run most. Only that
 * path is trained: the cache holds what runs, and V8 reads all of it before anything runs, so a
 * cache that also held a refresh (the Xero client, the lock) made every cached call pay to load it.
 * A refresh compiles its functions from the bundle's source as it goes.
 */
export async function trainTokenBundle(bundle: typeof import("../cli/token-bundle-entry"), training: Training): Promise<void> {
  const { env, emulator, backend, scratch } = training;
  const redirectUri = "http://localhost:8765/callback";
  const scopes = ["offline_access", "accounting.invoices"];
  const app = await emulator.admin.createApp({ kind: "web", name: "Training Web", scopes, redirectUris: [redirectUri] });
  const { userId } = await emulator.admin.createUser({ email: "training@example.com" });
  const { tenantId } = await emulator.admin.createOrg({ name: "Training Company" });
  await emulator.admin.consent({ userId, tenantIds: [tenantId] });
  const clientSecret = app.clientSecret ?? "";
  env[CONNECTION_SECRET_ENV] = clientSecret;

  const client = new XeroClient({ clientId: app.clientId, clientSecret, env });
  const redirect = await fetch(client.authorizeUrl({ redirectUri, scopes, state: createState() }), { redirect: "manual" });
  const code = new URL(redirect.headers.get("location") ?? "http://invalid/").searchParams.get("code");
  if (code === null) throw new Error(`the emulator's authorize endpoint answered ${redirect.status} without a code`);
  const tokens = await client.exchangeAuthorizationCode({ code, redirectUri });
  const spec: OAuthConnectionSpec = {
    version: 1,
    kind: "oauth_connection",
    document: CONNECTION_DOCUMENT,
    backend,
    app: { document: "training/WebApp", backend, appName: "Training Web", appKind: "web", clientId: app.clientId, clientSecret: { source: "env", name: CONNECTION_SECRET_ENV }, redirectUris: [redirectUri], scopes },
    tenants: [],
    scopes,
    keepAliveSeconds: 30 * 86_400,
    onDestroy: "retain",
  };
  const state = await openStateBackend(backend, { env, cwd: scratch, logger: { warn: () => undefined } });
  try {
    const tenants = await client.listConnections(tokens.accessToken);
    await storeConsent(state, spec, { tokens, identity: { email: "training@example.com" } as XeroIdTokenClaims, tenants, redirectUri }, new Date());
  } finally {
    await state.close();
  }
  const flags = { backend: formatBackendAddress(backend), format: "raw" };
  for (let i = 0; i < 5; i++) await bundle.runTokenSilently(CONNECTION_DOCUMENT, flags, env, scratch);
}

/**
 * The rest of `token`, which the token bundle leaves to its part (cli/cli-bundle.ts): a refresh (the
 * connection's access token made stale first) and a Custom Connection's client credentials (the
 * hook training's link). Run through the token bundle, which loads its part on the way, after the
 * token bundle's own cache is saved.
 */
export async function trainTokenRefreshBundle(bundle: typeof import("../cli/token-bundle-entry"), training: Training): Promise<void> {
  const { env, backend, scratch } = training;
  const flags = { backend: formatBackendAddress(backend), format: "raw" };
  for (let i = 0; i < 3; i++) {
    const state = await openStateBackend(backend, { env, cwd: scratch, logger: { warn: () => undefined } });
    try {
      const store = documentTokenSetStore(state, CONNECTION_DOCUMENT);
      const { serial, record } = await store.read();
      if (record.tokenSet === undefined) throw new Error(`the token training stored no token set in ${CONNECTION_DOCUMENT}`);
      await store.write(serial, { tokenSet: { ...record.tokenSet, accessTokenExpiresAt: new Date(0) } });
    } finally {
      await state.close();
    }
    await bundle.runTokenSilently(CONNECTION_DOCUMENT, flags, env, scratch);
  }
  await bundle.runTokenSilently(LINK_DOCUMENT, flags, env, scratch);
}

/** `drift` over every document the other trainings recorded, as a scheduled job runs it. */
export async function trainDriftBundle(bundle: typeof import("../cli/drift-bundle-entry"), training: Training): Promise<void> {
  await bundle.runDriftSilently(["drift", "--backend", formatBackendAddress(training.backend)], training.env, training.scratch);
  await bundle.runDriftSilently(["drift", "--backend", formatBackendAddress(training.backend), "--json"], training.env, training.scratch);
}
