import * as path from "node:path";
import { rotationDocumentFor, RotationOutputs, RotationSecretKeys } from "../../contract/rotation";
import { MAX_CLIENT_SECRET_BYTES, type SecretReference } from "../../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import type { Clock } from "../clock";
import { CdktfXeroError } from "../errors";
import { describeSecretReference, type AppDescription } from "../lifecycle/runtime/errors";
import { openStateBackend, type OpenStateBackendOptions, type StateBackend } from "../state";
import { XeroClient, type XeroClientOptions } from "../xero/client";
import type { XeroCallLimiter } from "../xero/call-limiter";
import { vendAccessToken, type RefreshGrant, type TokenSetStore } from "../tokens/locked-refresh";
import { decideVend } from "../tokens/vend-decision";
import type { AppSecretResult, DriftCheckContext, DriftTokenSetLocation, DriftVendAnswer, DriftVendApp, DriftXeroClient } from "./kind-check";
import { RunSnapshotReader, type DriftBackendReader } from "./run-snapshot-reader";

/**
 * The world a drift run's checks see: a read-only, rate-limited Xero client per app, state
 * backends opened once, and secrets resolved as a deploy resolves them, from a stack directory.
 */

export type DriftXeroClientFactory = (options: XeroClientOptions) => XeroClient;
export type DriftBackendOpener = (address: StateBackendAddress, options: OpenStateBackendOptions) => Promise<StateBackend>;

export interface DriftWorld {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project root: the embedded default state key resolves against it. */
  readonly projectRoot: string;
  readonly clock: Clock;
  readonly limiter: XeroCallLimiter;
  readonly createXeroClient: DriftXeroClientFactory;
  readonly openBackend: DriftBackendOpener;
  readonly readFile: (absolutePath: string) => Promise<string>;
  /** Warnings of the state backends (stale locks, key files), for stderr. */
  readonly warn: (line: string) => void;
  /** `--no-refresh`: a connection whose cached access token is not good is not checked live, rather than refreshed. */
  readonly noRefresh: boolean;
}

/** Only the reads drift may make, each through the limiter; the client's writes are out of reach. */
export function limitedXeroClient(client: XeroClient, limiter: XeroCallLimiter): DriftXeroClient {
  // Every call of these is tenantless: the token and authorize endpoints, and GET /connections.
  const scope = { clientId: client.clientId };
  return {
    clientId: client.clientId,
    clientCredentials: (options) => limiter.run(scope, () => client.clientCredentials(options)),
    probeAuthorize: (input) => limiter.run(scope, () => client.probeAuthorize(input)),
    listConnections: (accessToken, options) => limiter.run(scope, () => client.listConnections(accessToken, options)),
    decodeAccessToken: (accessToken) => client.decodeAccessToken(accessToken),
  };
}


/**
 * Backends shared by every stack directory of a run (one pool per address and directory). Checks
 * read them as one snapshot; only the token vending protocol gets the backend itself, to write the
 * token set it refreshes (see kind-check.ts for why that one write is allowed).
 */
export class DriftBackends {
  private readonly opened = new Map<string, Promise<{ readonly backend: StateBackend; readonly snapshot: RunSnapshotReader }>>();

  constructor(private readonly world: DriftWorld) {}

  async open(address: StateBackendAddress, cwd: string): Promise<RunSnapshotReader> {
    return (await this.opening(address, cwd)).snapshot;
  }

  /** The backend itself, for `vendAccessToken`'s locked, compare-and-swap writes only. */
  async openForTokenVending(address: StateBackendAddress, cwd: string): Promise<StateBackend> {
    return (await this.opening(address, cwd)).backend;
  }

  private opening(address: StateBackendAddress, cwd: string): Promise<{ readonly backend: StateBackend; readonly snapshot: RunSnapshotReader }> {
    const key = address.type === "local" ? `local:${path.resolve(cwd, address.dir)}` : formatBackendAddress(address);
    let opened = this.opened.get(key);
    if (opened === undefined) {
      opened = this.world
        .openBackend(address, {
          env: this.world.env,
          clock: this.world.clock,
          cwd,
          projectRoot: this.world.projectRoot,
          logger: { warn: (message) => this.world.warn(`cdktf-xero: warning: ${message}`) },
          // Drift never creates a backend, a schema or the embedded default key.
          createIfMissing: false,
          createDefaultKey: false,
        })
        .then((backend) => ({ backend, snapshot: new RunSnapshotReader(backend) }));
      this.opened.set(key, opened);
    }
    return opened;
  }

  async close(): Promise<void> {
    const all = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(all.map(async (opened) => (await opened.catch(() => undefined))?.backend.close()));
  }
}

/** A Web app's secret could not be resolved when the protocol's refresh needed it. */
class DriftSecretUnavailableError extends CdktfXeroError {
  readonly code = "DRIFT_SECRET_UNAVAILABLE";
  readonly problem: string;
  readonly fix: string;
  constructor(secret: { readonly problem: string; readonly fix: string }) {
    super(`${secret.problem}. ${secret.fix}`);
    this.problem = secret.problem;
    this.fix = secret.fix;
  }
}

type TokenAnswer = { readonly accessToken: string; readonly scopes: readonly string[] };

/** The context for the checks of one stack directory (or of one backend, in backend-only mode). */
export class DriftRunContext implements DriftCheckContext {
  readonly now: Date;
  private readonly clients = new Map<string, DriftXeroClient>();
  /** By client id: the first client made with a secret. */
  private readonly clientsWithSecret = new Map<string, DriftXeroClient>();

  constructor(
    private readonly world: DriftWorld,
    private readonly backends: DriftBackends,
    private readonly tokens: Map<string, Promise<TokenAnswer>>,
    /** Where relative backend dirs and secret files resolve, as for the hooks. */
    private readonly cwd: string,
    now: Date,
  ) {
    this.now = now;
  }

  get clock(): Clock {
    return this.world.clock;
  }

  xero(credentials: { readonly clientId: string; readonly clientSecret?: string }): DriftXeroClient {
    // One client per app and secret for the run: the checks of an app (its registration, its link)
    // share it. A request that sends no secret (GET /connections with a token, the authorize probe)
    // takes the app's client that has one, if any: the same requests, one client fewer to build.
    const key = `${credentials.clientId}\u0000${credentials.clientSecret ?? ""}`;
    let client = this.clients.get(key) ?? (credentials.clientSecret === undefined ? this.clientsWithSecret.get(credentials.clientId) : undefined);
    if (client === undefined) {
      client = this.newXeroClient(credentials);
      this.clients.set(key, client);
    }
    if (credentials.clientSecret !== undefined && !this.clientsWithSecret.has(credentials.clientId)) this.clientsWithSecret.set(credentials.clientId, client);
    return client;
  }

  private newXeroClient(credentials: { readonly clientId: string; readonly clientSecret?: string }): DriftXeroClient {
    return limitedXeroClient(this.fullClient(credentials), this.world.limiter);
  }

  /** The unrestricted client: only {@link vendAccessToken}'s grant uses it beyond the read-only view. */
  private fullClient(credentials: { readonly clientId: string; readonly clientSecret?: string }): XeroClient {
    return this.world.createXeroClient({
      clientId: credentials.clientId,
      ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
      env: this.world.env,
      clock: this.world.clock,
      // The limiter learns of the 429s the client waits out (and counts them) through this: every
      // call of the client runs in the app's tenantless scope (limitedXeroClient, the refresh grant).
      observer: this.world.limiter.observerFor({ clientId: credentials.clientId }),
    });
  }

  async vendAccessToken(tokenSet: DriftTokenSetLocation, app: DriftVendApp): Promise<DriftVendAnswer> {
    const store: TokenSetStore = tokenSet.store(await this.backends.openForTokenVending(tokenSet.backend, this.cwd));
    // A look without the lock first: it decides whether a refresh would be needed, so that
    // --no-refresh sends nothing, a missing Web secret is known before anything is recorded, and a
    // record that needs a new consent is reported without drift writing to it.
    const { record } = await store.read();
    const storedFingerprint = record.tokenSet === undefined || record.refreshStarted === undefined ? undefined : await store.fingerprint(record.tokenSet.refreshToken);
    const decision = decideVend(record, this.world.clock.now(), storedFingerprint);
    if (decision.kind === "not-connected") return { kind: "no_token_set", why: "not_connected" };
    if (decision.kind === "needs-consent") return { kind: "no_token_set", why: "needs_consent", reason: decision.reason };
    if (decision.kind === "use-cached" && this.world.noRefresh) {
      // Handed out from this very read: a second read could find it stale and refresh.
      return { kind: "vended", token: { accessToken: decision.accessToken, expiresAt: decision.expiresAt, refreshed: false, resumed: false, scopes: record.tokenSet?.scopes ?? [] } };
    }
    let secret: AppSecretResult | undefined;
    const resolveSecret = async (): Promise<AppSecretResult | undefined> => (secret ??= await app.clientSecret?.());
    if (decision.kind === "refresh") {
      if (this.world.noRefresh) {
        const expiresAt = record.tokenSet?.accessTokenExpiresAt;
        return {
          kind: "refresh_not_allowed",
          why:
            decision.resuming !== undefined
              ? "an unfinished refresh is recorded, and only a refresh resolves it"
              : expiresAt === undefined
                ? "no access token is cached"
                : `the cached access token expires at ${expiresAt.toISOString()}, within 5 minutes of the check or before it`,
        };
      }
      const resolved = await resolveSecret();
      if (resolved !== undefined && !resolved.ok) return { kind: "secret_unavailable", problem: resolved.problem, fix: resolved.fix };
    }
    // The grant exists only here, handed to the protocol that records, refreshes and writes under the
    // lock. The secret is resolved above when the look says a refresh is due; should the protocol's
    // own read find one due after all, it is resolved then (a failure leaves the write-ahead record,
    // and the next holder sends the same, unrotated token).
    const grant: RefreshGrant = {
      refresh: async (refreshToken) => {
        const resolved = await resolveSecret();
        if (resolved !== undefined && !resolved.ok) throw new DriftSecretUnavailableError(resolved);
        const client = this.fullClient({ clientId: app.clientId, ...(resolved === undefined ? {} : { clientSecret: resolved.value }) });
        return this.world.limiter.run({ clientId: app.clientId }, () => client.refresh(refreshToken));
      },
    };
    try {
      return { kind: "vended", token: await vendAccessToken(store, grant, { clock: this.world.clock }) };
    } catch (error) {
      if (error instanceof DriftSecretUnavailableError) return { kind: "secret_unavailable", problem: error.problem, fix: error.fix };
      throw error;
    }
  }

  backend(address: StateBackendAddress): Promise<DriftBackendReader> {
    return this.backends.open(address, this.cwd);
  }

  customConnectionToken(clientId: string, clientSecret: string): Promise<TokenAnswer> {
    // Keyed by the secret too (never stored elsewhere): an app and its link share a token only when they use the same secret.
    const key = `${clientId}\u0000${clientSecret}`;
    let answer = this.tokens.get(key);
    if (answer === undefined) {
      const client = this.xero({ clientId, clientSecret });
      answer = client.clientCredentials().then((tokens) => {
        const claimed = client.decodeAccessToken(tokens.accessToken).scopes;
        return { accessToken: tokens.accessToken, scopes: claimed.length > 0 ? claimed : tokens.scopes };
      });
      this.tokens.set(key, answer);
    }
    return answer;
  }

  async appSecret(
    app: AppDescription & { readonly document: string; readonly backend: StateBackendAddress; readonly reference: SecretReference },
  ): Promise<AppSecretResult> {
    const backend = await this.backend(app.backend);
    const rotationDocument = rotationDocumentFor(app.document);
    try {
      const rotation = await backend.read(rotationDocument);
      if (rotation !== undefined && rotation.values[RotationOutputs.names.secrets] !== undefined && RotationOutputs.decode(rotation.values).clientId === app.clientId) {
        const current = (await backend.openSecrets(rotation))[RotationSecretKeys.current];
        if (current !== undefined && current !== "") return { ok: true, value: current };
      }
    } catch (error) {
      if (!(error instanceof CdktfXeroError)) throw error;
      return {
        ok: false,
        problem: `the rotation document "${rotationDocument}" holding the app's CURRENT secret cannot be opened (${error.code})`,
        fix: `Give drift the same state keys the deploy uses (CDKTF_XERO_STATE_KEY or CDKTF_XERO_STATE_KEY_FILE): ${error.message}`,
      };
    }
    return this.resolve(app.reference, backend);
  }

  private async resolve(reference: SecretReference, backend: DriftBackendReader): Promise<AppSecretResult> {
    const where = describeSecretReference(reference);
    const unavailable = (problem: string, fix: string): AppSecretResult => ({ ok: false, problem: `${where} ${problem}`, fix });
    let value: string;
    switch (reference.source) {
      case "env": {
        value = this.world.env[reference.name] ?? "";
        if (value === "") return unavailable("is not set where drift runs", `Export ${reference.name} in the drift job's environment (the secret variable the deploy uses)`);
        break;
      }
      case "file": {
        const file = path.resolve(this.cwd, reference.path);
        try {
          value = (await this.world.readFile(file)).replace(/[\r\n]+$/, "");
        } catch (error) {
          return unavailable(`cannot be read at ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`, `Make ${file} readable where drift runs, holding only the secret`);
        }
        if (value === "") return unavailable(`is empty at ${file}`, `Write the secret into ${file}`);
        break;
      }
      case "state": {
        const fix = `Write the secret under that key (the rotation records CURRENT there once deployed), and give drift the deploy's state keys`;
        try {
          const stored = await backend.read(reference.document);
          if (stored === undefined) return unavailable(`names a document that does not exist in ${backend.label}`, fix);
          value = (await backend.openSecrets(stored))[reference.key] ?? "";
        } catch (error) {
          if (!(error instanceof CdktfXeroError)) throw error;
          return unavailable(`cannot be opened (${error.code})`, fix);
        }
        if (value === "") return unavailable("holds no such secret", fix);
        break;
      }
    }
    if (Buffer.byteLength(value, "utf8") > MAX_CLIENT_SECRET_BYTES) {
      return unavailable(`holds more than ${MAX_CLIENT_SECRET_BYTES} bytes, more than any client secret`, "Make it hold only the secret, as the Xero developer portal shows it");
    }
    return { ok: true, value };
  }
}
