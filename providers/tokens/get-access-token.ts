import { ClientSecretSourceOutputs } from "../../contract/client-secret-source";
import { ConnectionOutputs, type OAuthConnectionSpec } from "../../contract/connection";
import { CommonOutputs } from "../../contract/document-codec";
import { LinkOutputs } from "../../contract/link";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { systemClock, type Clock } from "../clock";
import { ConfigError } from "../errors";
import { documentTokenSetStore } from "../lifecycle/connection/token-set-store";
import { findProjectRoot } from "../lifecycle/runtime/find-project-root";
import { openStateBackend } from "../state/open";
import type { StateBackend, StoredDocument } from "../state";
import type { AppSecretDeps } from "./app-secret";
import { NotATokenDocumentError, TenantNotConnectedError, TokenDocumentNotFoundError, TokenDocumentRetiredError, type TokenSetLocation } from "./errors";
import { refreshFailpointsFrom, type RefreshFailpoints } from "./failpoints";
import { vendAccessToken, type RefreshGrant } from "./locked-refresh";
import { chooseTenant, connectedTenants, type ConnectedTenant } from "./tenant-choice";

/**
 * `getAccessToken`: a valid access token for a consumer, from a connection's state document alone.
 * The one way consumers get tokens (they never refresh on their own, which would break the one
 * stored token set): `cdktf-xero token` prints what this returns.
 *
 * - A consented connection (`XeroOAuthConnection`, after `cdktf-xero connect`): the cached access
 *   token until 5 minutes before it expires, else one refresh under the document's lock with the
 *   write-ahead record (providers/tokens/locked-refresh.ts).
 * - A Custom Connection (its `XeroAppRegistration`, or a `XeroCustomConnection` link to it): client
 *   credentials with the app's current secret (its rotation's CURRENT once recorded), cached in the
 *   document's envelope the same way (custom-connection-token.ts).
 *
 * Loads neither cdktf nor the constructs; a cached token costs one document read and no request.
 */

export interface GetAccessTokenOptions {
  /** The state backend: opened (and closed again) from an address, or one the caller opened (left open). */
  readonly backend: StateBackend | StateBackendAddress;
  /** The connection's state document, e.g. `crm/CrmConnection`. */
  readonly document: string;
  /**
   * The organisation the token is for: a tenant id, or the name Xero shows. Checked against the
   * tenants the consent covers. @default the only tenant recorded (none returned when there are several)
   */
  readonly tenant?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * State keys, `PG_CONN_STR` (for a `pg` address), `XERO_*_URL` endpoint overrides and `env` secret
   * references. @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A relative `local:` address resolves against it. @default process.cwd() */
  readonly cwd?: string;
  /** Where cdktf.json is: declared relative paths and the embedded state key are found from it. @default the nearest above `cwd` */
  readonly projectRoot?: string;
  /** Warnings (never a token). @default process.stderr */
  readonly stderr?: { write(text: string): void };
  /** Refresh even when the cached access token is still good (`refresh --due`). @default false */
  readonly forceRefresh?: boolean;
  /** How long to wait for another process's refresh (the document's lock). @default the backend's (60 s) */
  readonly lockTimeoutMs?: number;
  /** How messages name the backend in the `connect` command they suggest. @default `--backend <address>` */
  readonly backendFlag?: string;
  /** TEST ONLY: where the process dies during a refresh. @default from CDKTF_XERO_FAILPOINT (unset: none) */
  readonly failpoints?: RefreshFailpoints;
}

export interface AccessToken {
  /** The bearer token (a secret: send it to Xero only, never log it). */
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** The organisation chosen (`--tenant`, or the only one recorded); send it as `Xero-tenant-id`. */
  readonly tenantId?: string;
  readonly tenantName?: string;
}

/**
 * @example
 * import { getAccessToken } from "cdktf-xero/tokens";
 * const { accessToken, tenantId } = await getAccessToken({
 *   backend: { type: "local", dir: ".cdktf-xero/state" },
 *   document: "crm/CrmConnection",
 *   tenant: "Demo Company (NZ)",
 * });
 */
export async function getAccessToken(options: GetAccessTokenOptions): Promise<AccessToken> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const stderr = options.stderr ?? process.stderr;
  const clock = options.clock ?? systemClock;
  const projectRoot = options.projectRoot ?? findProjectRoot(cwd);
  const opened = isStateBackend(options.backend)
    ? undefined
    : await openStateBackend(options.backend, {
        env,
        cwd,
        clock,
        createIfMissing: false,
        projectRoot,
        logger: { warn: (message) => stderr.write(`cdktf-xero: warning: ${message}\n`) },
      });
  const backend = opened ?? (options.backend as StateBackend);
  try {
    const deps: AppSecretDeps = { env, clock, stderr, projectRoot };
    return await vend(backend, options, deps);
  } finally {
    await opened?.close();
  }
}

function isStateBackend(backend: StateBackend | StateBackendAddress): backend is StateBackend {
  return typeof (backend as Partial<StateBackend>).read === "function";
}

async function vend(backend: StateBackend, options: GetAccessTokenOptions, deps: AppSecretDeps): Promise<AccessToken> {
  const { document } = options;
  const stored = await backend.read(document);
  if (stored === undefined) throw new TokenDocumentNotFoundError(document, backend.label);
  if (CommonOutputs.decode(stored.values).retired === true) throw new TokenDocumentRetiredError(document, backend.label);
  const location: TokenSetLocation = { document, backendFlag: options.backendFlag ?? `--backend ${formatBackendAddress(backend.address)}` };

  switch (documentKind(stored)) {
    case "oauth_connection":
      return vendForConnection(backend, stored, location, options, deps);
    case "custom_connection":
      return vendForCustomConnection(backend, stored, location, options, deps);
    case "other_app":
      throw new NotATokenDocumentError(
        document,
        backend.label,
        `is the registration of a ${String(stored.values[registrationOutputs().names.kind])} app (a user consents to it with a XeroOAuthConnection, whose document holds the tokens)`,
      );
    case "unknown":
      throw new NotATokenDocumentError(document, backend.label, "is neither a consented connection nor a Custom Connection that a deploy has recorded");
  }
}

type DocumentKind = "oauth_connection" | "custom_connection" | "other_app" | "unknown";

/** Which kind wrote the document, from the outputs only that kind writes. */
function documentKind(stored: StoredDocument): DocumentKind {
  const values = stored.values;
  if (values[ConnectionOutputs.names.status] !== undefined || values[ConnectionOutputs.names.declaration] !== undefined) return "oauth_connection";
  const appKind = values[registrationOutputs().names.kind];
  if (appKind === "custom_connection") return "custom_connection";
  if (appKind !== undefined) return "other_app";
  if (values[LinkOutputs.names.connectionId] !== undefined || values[ClientSecretSourceOutputs.source] !== undefined) return "custom_connection";
  return "unknown";
}

/** A registration's outputs, loaded only for a document that is not a consented connection's (what `token` reads most). */
function registrationOutputs(): typeof import("../../contract/registration").RegistrationOutputs {
  return (require("../../contract/registration") as typeof import("../../contract/registration")).RegistrationOutputs;
}

async function vendForConnection(
  backend: StateBackend,
  stored: StoredDocument,
  location: TokenSetLocation,
  options: GetAccessTokenOptions,
  deps: AppSecretDeps,
): Promise<AccessToken> {
  const outputs = ConnectionOutputs.decode(stored.values);
  // Chosen before any refresh: asking for an organisation the consent does not cover changes nothing.
  const tenant = chooseTenant(connectedTenants(outputs.tenantIds ?? [], outputs.tenantNames ?? []), options.tenant, location);
  const store = documentTokenSetStore(backend, location.document, {
    backendFlag: location.backendFlag,
    alreadyRead: stored,
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });
  const vended = await vendAccessToken(store, lazyConnectionGrant(stored, location, deps), {
    clock: deps.clock,
    failpoints: options.failpoints ?? refreshFailpointsFrom(deps.env),
    ...(options.forceRefresh === undefined ? {} : { forceRefresh: options.forceRefresh }),
  });
  return withTenant({ accessToken: vended.accessToken, expiresAt: vended.expiresAt }, tenant);
}

/** The refresh grant, built only when the protocol refreshes: a cached token needs no declaration, secret or Xero client. */
function lazyConnectionGrant(stored: StoredDocument, location: TokenSetLocation, deps: AppSecretDeps): RefreshGrant {
  return {
    refresh(refreshToken) {
      const spec = recordedDeclaration(stored, location);
      const { connectionRefreshGrant } = require("./connection-grant") as typeof import("./connection-grant");
      return connectionRefreshGrant(spec, deps).refresh(refreshToken);
    },
  };
}

/** The declaration a connection document was connected or applied for (`connection_spec`), validated. */
export function recordedDeclaration(stored: StoredDocument, location: TokenSetLocation): OAuthConnectionSpec {
  const text = ConnectionOutputs.decode(stored.values).declaration;
  const broken = (problem: string, cause?: unknown): ConfigError =>
    new ConfigError(
      `state document "${location.document}" ${problem}, so the app to refresh with is unknown; run \`cdktf-xero connect ${location.document} ${location.backendFlag}\` ` +
        "(it records the declaration again from cdktf.out)",
      { context: { document: location.document }, ...(cause === undefined ? {} : { cause }) },
    );
  if (text === undefined || text === "") throw broken("records no declaration (connection_spec)");
  let spec;
  try {
    // Loaded only to refresh (contract/hook-spec brings every kind's contract): a cached token needs none of it.
    spec = (require("../../contract/hook-spec") as typeof import("../../contract/hook-spec")).parseHookSpecJson(text);
  } catch (error) {
    throw broken(`records a declaration (connection_spec) this version of cdktf-xero cannot read (${(error as Error).message})`, error);
  }
  if (spec.kind !== "oauth_connection") throw broken(`records a declaration (connection_spec) of kind ${spec.kind}`);
  return spec;
}

async function vendForCustomConnection(
  backend: StateBackend,
  stored: StoredDocument,
  location: TokenSetLocation,
  options: GetAccessTokenOptions,
  deps: AppSecretDeps,
): Promise<AccessToken> {
  const link = LinkOutputs.decode(stored.values);
  const recorded: ConnectedTenant[] = link.tenantId === undefined || link.tenantId === "" ? [] : [{ tenantId: link.tenantId, tenantName: link.tenantName ?? "" }];
  // A registration records no organisation (its link does): a --tenant cannot be checked, so it is refused.
  if (options.tenant !== undefined && recorded.length === 0) throw new TenantNotConnectedError(location, options.tenant, recorded);
  const tenant = chooseTenant(recorded, options.tenant, location);
  const { customConnectionAccessToken } = require("./custom-connection-token") as typeof import("./custom-connection-token");
  const token = await customConnectionAccessToken(backend, stored, {
    ...deps,
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });
  return withTenant({ accessToken: token.accessToken, expiresAt: token.expiresAt }, tenant);
}

function withTenant(token: { accessToken: string; expiresAt: Date }, tenant: ConnectedTenant | undefined): AccessToken {
  return tenant === undefined ? token : { ...token, tenantId: tenant.tenantId, tenantName: tenant.tenantName };
}
