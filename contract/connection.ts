/**
 * The consented connection kind (`XeroOAuthConnection`: one user's consent to a Web or PKCE app,
 * its token set kept alive and vended safely): its spec, its rules (the one validator the construct
 * runs at synth and the hook at run time), its document outputs and their status defaults, and its
 * policy numbers. Pure data, no I/O.
 *
 * The token set itself (refresh and access tokens) lives only in the document's sealed `secrets`
 * envelope, under {@link ConnectionSecretKeys}; the outputs carry the times beside it, the write-ahead
 * record of a refresh in progress (a keyed fingerprint, never the token) and what the consent covers.
 */
import { ClientSecretSourceFields } from "./client-secret-source";
import { countOutput, documentCodec, CommonOutputFields, listOutput, textOutput } from "./document-codec";
import { tenantIdProblem, UUID_PATTERN } from "./link";
import { describeValue, type HookSpecBase, type KindFields, type SecretReference, type SpecReader } from "./spec-common";
import type { StateBackendAddress } from "./state-address";

/** The app kinds a user consents to (a Custom Connection is linked by client credentials instead). */
export type ConsentedAppKind = "web" | "pkce";
export const CONSENTED_APP_KINDS: readonly ConsentedAppKind[] = ["web", "pkce"];

/** The scope that makes Xero send a refresh token: without it a consent lasts 30 minutes. */
export const OFFLINE_ACCESS_SCOPE = "offline_access";

/** What a connection knows about the Web or PKCE app the user consents to. */
export interface ConsentedAppSpec {
  /** The app registration's document. */
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly appName: string;
  readonly appKind: ConsentedAppKind;
  readonly clientId: string;
  /** Present for a Web app (the code exchange and every refresh authenticate with it); absent for PKCE. */
  readonly clientSecret?: SecretReference;
  /** The app's registered redirect URIs; `connect` listens on a `http://localhost:PORT/path` one. */
  readonly redirectUris: readonly string[];
  /** The app's declared scopes. */
  readonly scopes: readonly string[];
}

/** What `hook destroy` does with the consent. */
export type ConnectionOnDestroy = "retain" | "revoke";
export const CONNECTION_ON_DESTROY: readonly ConnectionOnDestroy[] = ["retain", "revoke"];

/** `XeroOAuthConnection`: one consent to a Web or PKCE app, covering the declared organisations and scopes. */
export interface OAuthConnectionSpec extends HookSpecBase {
  readonly kind: "oauth_connection";
  readonly app: ConsentedAppSpec;
  /**
   * Organisations the consent must cover, each a tenant id (uuid) or an organisation name as Xero
   * shows it; empty: any (whatever the user picks is recorded).
   */
  readonly tenants: readonly string[];
  /** The scopes asked for: a subset of the app's, always with `offline_access`. */
  readonly scopes: readonly string[];
  /** How old a refresh token may get before `refresh --due` (or an apply) refreshes it. Whole seconds. */
  readonly keepAliveSeconds: number;
  readonly onDestroy: ConnectionOnDestroy;
}

const HOUR_SECONDS = 3_600;
const DAY_SECONDS = 24 * HOUR_SECONDS;

/** The connection's policy numbers, next to Xero's token rules (../shared/xero-platform.md). */
export const ConnectionPolicy = {
  /** `keepAlive` when none is declared. */
  defaultKeepAliveSeconds: 30 * DAY_SECONDS,
  /** The shortest `keepAlive`: refreshing more often buys nothing. */
  minKeepAliveSeconds: HOUR_SECONDS,
  /** The longest `keepAlive`, and where the plan's check fails: five days before Xero's limit. */
  maxKeepAliveSeconds: 55 * DAY_SECONDS,
  /** Xero: an unused refresh token expires this long after it was issued (sliding). */
  refreshTokenLifetimeSeconds: 60 * DAY_SECONDS,
} as const;

/** Why `seconds` cannot be a keepAlive, or undefined. */
export function keepAliveSecondsProblem(seconds: number): string | undefined {
  const { minKeepAliveSeconds: min, maxKeepAliveSeconds: max } = ConnectionPolicy;
  return Number.isInteger(seconds) && seconds >= min && seconds <= max
    ? undefined
    : `must be a whole number of seconds from ${min} (1 hour) to ${max} (55 days: Xero expires an unused refresh token after 60)`;
}

/** A declared tenant is an id when it looks like one; anything else is an organisation name. */
export function isTenantId(tenant: string): boolean {
  return UUID_PATTERN.test(tenant);
}

/** What the connection rules look at: the spec's fields, whether from a construct's props or a hook's spec. */
export type ConnectionRuleInput = Pick<OAuthConnectionSpec, "tenants" | "scopes" | "keepAliveSeconds"> & {
  readonly app: Pick<ConsentedAppSpec, "appKind" | "scopes">;
};

/**
 * The connection's rules. `at` prefixes every field name: "" for a construct's props, `spec.` for a
 * hook's spec. Returns the problems, each naming the field, the bad value and the fix.
 */
export function connectionProblems(input: ConnectionRuleInput, at: string, keepAliveField = "keepAlive"): string[] {
  const problems: string[] = [];
  if (!input.app.scopes.includes(OFFLINE_ACCESS_SCOPE)) {
    problems.push(
      `${at}app.scopes ${JSON.stringify(input.app.scopes)} lack "${OFFLINE_ACCESS_SCOPE}": without it Xero sends no refresh token and a consent lasts 30 minutes; add XeroScopes.offlineAccess (or "${OFFLINE_ACCESS_SCOPE}") to the app's scopes`,
    );
  }
  const outside = input.scopes.filter((scope) => !input.app.scopes.includes(scope));
  if (outside.length > 0) {
    problems.push(
      `${at}scopes ${JSON.stringify(outside)} are not among the app's scopes ${JSON.stringify(input.app.scopes)}: a consent can only ask for scopes the app declares; add them to the app or remove them here`,
    );
  }
  if (!input.scopes.includes(OFFLINE_ACCESS_SCOPE)) {
    problems.push(`${at}scopes ${JSON.stringify(input.scopes)} lack "${OFFLINE_ACCESS_SCOPE}": the connection keeps a refresh token alive, so it must ask for one; add it`);
  }
  const keepAliveProblem = keepAliveSecondsProblem(input.keepAliveSeconds);
  if (keepAliveProblem !== undefined) problems.push(`${at}${keepAliveField} ${keepAliveProblem}, got ${describeValue(input.keepAliveSeconds)} s`);
  input.tenants.forEach((tenant, index) => {
    const first = input.tenants.findIndex((other) => other.trim().toLowerCase() === tenant.trim().toLowerCase());
    if (first !== index) problems.push(`${at}tenants[${index}] repeats ${at}tenants[${first}] ${JSON.stringify(tenant)}; list each organisation once`);
    // Something shaped almost like an id is a mistyped id, not a name.
    if (!isTenantId(tenant) && /^[0-9a-fA-F-]{30,40}$/.test(tenant)) {
      problems.push(`${at}tenants[${index}] ${tenantIdProblem(tenant)}`);
    }
  });
  return problems;
}

/** Reads a connection's own fields from a spec and checks them with the connection's rules. */
export function readConnection(reader: SpecReader): KindFields<OAuthConnectionSpec> {
  const appReader = reader.child("app");
  const app: ConsentedAppSpec =
    appReader.object === undefined
      ? { document: "", backend: { type: "local", dir: "" }, appName: "", appKind: "web", clientId: "", redirectUris: [], scopes: [] }
      : readConsentedApp(appReader);
  const tenants = reader.strings("tenants", { allowEmpty: true });
  const scopes = reader.scopes("scopes");
  const keepAlive = reader.get("keepAliveSeconds");
  const fields = {
    app,
    tenants,
    scopes,
    keepAliveSeconds: typeof keepAlive === "number" ? keepAlive : Number.NaN,
    onDestroy: reader.oneOf("onDestroy", CONNECTION_ON_DESTROY) ?? "retain",
  };
  if (typeof keepAlive !== "number") reader.problems.push(`${reader.path}.keepAliveSeconds must be a number, got ${describeValue(keepAlive)}`);
  else reader.problems.push(...connectionProblems(fields, `${reader.path}.`, "keepAliveSeconds"));
  return fields;
}

function readConsentedApp(appReader: SpecReader): ConsentedAppSpec {
  const appKind = appReader.get("appKind");
  if (appKind === "custom_connection") {
    appReader.problems.push(
      `${appReader.path}.appKind is "custom_connection": a Custom Connection has no user consent; link it with XeroCustomConnection instead`,
    );
  }
  const kind: ConsentedAppKind = appKind === "pkce" ? "pkce" : "web";
  if (appKind !== "custom_connection" && appKind !== "web" && appKind !== "pkce") {
    appReader.problems.push(`${appReader.path}.appKind must be one of ${CONSENTED_APP_KINDS.join(", ")}, got ${describeValue(appKind)}`);
  }
  const clientSecret = appReader.optional("clientSecret", (key) => appReader.secret(key));
  if (kind === "web" && clientSecret === undefined) appReader.problems.push(`${appReader.path}.clientSecret is required for a web app`);
  if (kind === "pkce" && clientSecret !== undefined) appReader.problems.push(`${appReader.path}.clientSecret must be absent for a PKCE app (Xero issues it none)`);
  return appReader.finish({
    document: appReader.document("document"),
    backend: appReader.backend("backend"),
    appName: appReader.text("appName"),
    appKind: kind,
    clientId: appReader.text("clientId"),
    ...(clientSecret === undefined ? {} : { clientSecret }),
    redirectUris: appReader.strings("redirectUris", { allowEmpty: false }),
    scopes: appReader.scopes("scopes"),
  });
}

/** Where a connection's `connection_status` stands. */
export type ConnectionStatus = "awaiting_consent" | "connected" | "needs_consent";

/** Keys of the connection document's sealed `secrets` envelope: the token set's only copy. */
export const ConnectionSecretKeys = { refreshToken: "refresh_token", accessToken: "access_token" } as const;

/**
 * A connection document's outputs, written by `cdktf-xero connect`, by the token vending protocol
 * (`token`, `getAccessToken`, `refresh --due`, the hooks) and by `hook apply`. Timestamps are
 * RFC 3339 UTC; "" means none. Never a token: those live only under {@link ConnectionSecretKeys}.
 */
export const ConnectionOutputs = documentCodec({
  ...CommonOutputFields,
  /** `awaiting_consent` until the first `connect`, then `connected`, or `needs_consent` once no stored token can work. */
  status: textOutput<ConnectionStatus, "connection_status">("connection_status", "awaiting_consent"),
  /**
   * The declaration the document was last applied or connected for: the hook spec's canonical JSON
   * (no secrets: specs hold references only), so `connect`, `token` and `refresh --due` need nothing
   * but the document.
   */
  declaration: textOutput("connection_spec"),
  /** The declared keepAlive in seconds (also in the declaration; here so the token store needs no parse). */
  keepAliveSeconds: countOutput("keep_alive_seconds"),
  /** The organisations the consent covers, as GET /connections lists them (parallel to `tenantNames`). */
  tenantIds: listOutput("tenant_ids", []),
  tenantNames: listOutput("tenant_names", []),
  /** The scopes Xero granted, as its last token response listed them. */
  grantedScopes: listOutput("granted_scopes", []),
  /** The consenting user, from the verified id token. */
  userEmail: textOutput("user_email", ""),
  userGivenName: textOutput("user_given_name", ""),
  userFamilyName: textOutput("user_family_name", ""),
  /** When the user last consented (`connect`). */
  connectedAt: textOutput("connected_at", ""),
  /** When Xero issued the stored refresh token: its 60-day sliding expiry counts from here. */
  refreshTokenIssuedAt: textOutput("refresh_token_issued_at", ""),
  /** `refresh_token_issued_at` + 60 days: past this only a new consent helps. */
  refreshTokenExpiresAt: textOutput("refresh_token_expires_at", ""),
  /** `refresh_token_issued_at` + keepAlive: from here `refresh --due` refreshes, and the plan warns. */
  refreshDueAt: textOutput("refresh_due_at", ""),
  /** `refresh_token_issued_at` + 55 days: from here the plan's check fails. */
  refreshFailAt: textOutput("refresh_fail_at", ""),
  /** When the cached access token expires. */
  accessTokenExpiresAt: ClientSecretSourceFields.accessTokenExpiresAt,
  /** Write-ahead record: keyed fingerprint of the refresh token a refresh in progress sent ("" when none). */
  refreshStartedFingerprint: textOutput("refresh_started_fingerprint"),
  /** Write-ahead record: when that refresh started. */
  refreshStartedAt: textOutput("refresh_started_at"),
  /** Why a new consent is needed ("" when none is). */
  needsConsentReason: textOutput("needs_consent_reason", ""),
  needsConsentSince: textOutput("needs_consent_since"),
});
