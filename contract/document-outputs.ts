/**
 * The outputs of a credential document: what the hooks write (providers/state, providers/lifecycle)
 * and what the synthesized `terraform_remote_state` data sources read back (constructs/). Both
 * sides import these names so they cannot drift apart. Pure data, no I/O.
 *
 * A document is Terraform state (version 4, outputs only); each output is stored as
 * `{"value": …, "type": <DOCUMENT_OUTPUT_TYPES[name]>}`.
 */

/** Output names, keyed by the camelCase name code uses. Values are the names in the document. */
export const DocumentOutputs = {
  /**
   * The trigger value the hook last ran for (number). Starts at 0 (`hook init`); bumped by anything
   * outside Terraform that wants the hook to run again (`secret stage`, `drift --mark`).
   */
  generation: "generation",
  /** When the next scheduled run is due, RFC 3339 UTC (`2026-12-01T00:00:00Z`); far future when none. */
  dueAt: "due_at",
  /** Registrations: the client id that was proven live. */
  clientId: "client_id",
  /** Registrations: the app kind, `web` | `pkce` | `custom_connection`. */
  kind: "kind",
  /**
   * Registrations: the scopes Xero granted, sorted (list of strings): a Custom Connection's, read
   * from its token. Web and PKCE apps: [] (Xero grants their scopes per user consent, and no
   * consent is recorded by the registration), see `declared_scopes`.
   */
  grantedScopes: "granted_scopes",
  /**
   * Registrations: the declared scopes, sorted. For Web and PKCE apps, proved requestable by
   * Xero's authorize endpoint with every declared redirect URI; not granted to anyone.
   */
  declaredScopes: "declared_scopes",
  /** Registrations: the CData JDBC URL without any secret (see {@link formatCdataJdbcUrl}). */
  jdbcUrl: "jdbc_url",
  /** Links: the organisation's tenant id (uuid). */
  tenantId: "tenant_id",
  /** Links: the organisation's name as Xero reports it. */
  tenantName: "tenant_name",
  /** Links: `ORGANISATION` or `PRACTICE`. */
  tenantType: "tenant_type",
  /** Links: the connection id (what DELETE /connections/{id} takes; not the tenant id). */
  connectionId: "connection_id",
  /** True once `hook destroy` retired the document (history kept). */
  retired: "retired",
  /** The AES-256-GCM envelope of secret material; sensitive; never read back by Terraform. */
  secrets: "secrets",
} as const;

export type DocumentOutputName = (typeof DocumentOutputs)[keyof typeof DocumentOutputs];

/** The value type of each output, as TypeScript sees it once validated. */
export interface DocumentOutputValues {
  readonly generation: number;
  readonly due_at: string;
  readonly client_id: string;
  readonly kind: "web" | "pkce" | "custom_connection";
  readonly granted_scopes: readonly string[];
  readonly declared_scopes: readonly string[];
  readonly jdbc_url: string;
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly tenant_type: "ORGANISATION" | "PRACTICE";
  readonly connection_id: string;
  readonly retired: boolean;
  readonly secrets: string;
}

/** Terraform's state `type` for each output (what a writer must store next to the value). */
export const DOCUMENT_OUTPUT_TYPES: Readonly<Record<DocumentOutputName, string | readonly [string, string]>> = {
  generation: "number",
  due_at: "string",
  client_id: "string",
  kind: "string",
  granted_scopes: ["list", "string"],
  declared_scopes: ["list", "string"],
  jdbc_url: "string",
  tenant_id: "string",
  tenant_name: "string",
  tenant_type: "string",
  connection_id: "string",
  retired: "bool",
  secrets: "string",
};

/** Outputs `hook apply` must write for an app registration (read back as construct attributes). */
export const APP_REGISTRATION_OUTPUTS = [
  DocumentOutputs.generation,
  DocumentOutputs.clientId,
  DocumentOutputs.kind,
  DocumentOutputs.grantedScopes,
  DocumentOutputs.declaredScopes,
  DocumentOutputs.jdbcUrl,
] as const;

/** Outputs `hook apply` must write for a Custom Connection link (read back as construct attributes). */
export const CUSTOM_CONNECTION_LINK_OUTPUTS = [
  DocumentOutputs.generation,
  DocumentOutputs.tenantId,
  DocumentOutputs.tenantName,
  DocumentOutputs.tenantType,
  DocumentOutputs.connectionId,
] as const;

/**
 * Outputs `cdktf-xero drift --mark` writes beside the `generation` it bumps; the next `hook apply`
 * of the resource drops them (its run answers the mark). Not read back by Terraform.
 */
export const DriftMarkOutputs = {
  /** The codes of the findings marked, sorted (list of strings). */
  findings: "drift_findings",
  /** When they were marked (RFC 3339). */
  markedAt: "drift_marked_at",
} as const;

/** A due date that never comes: what `due_at` holds when nothing is scheduled. */
export const NEVER_DUE = "9999-12-31T23:59:59Z";

/**
 * What the status read assumes for an output the document does not have yet (the synthesized
 * `defaults` of the status `terraform_remote_state`). `hook init` writes `generation: 0`.
 * `secrets` has no default: Terraform never reads it.
 */
export const STATUS_DEFAULTS: Readonly<Omit<DocumentOutputValues, "secrets" | "kind" | "tenant_type">> & {
  readonly kind: string;
  readonly tenant_type: string;
} = {
  generation: 0,
  due_at: NEVER_DUE,
  client_id: "",
  kind: "",
  granted_scopes: [],
  declared_scopes: [],
  jdbc_url: "",
  tenant_id: "",
  tenant_name: "",
  tenant_type: "",
  connection_id: "",
  retired: false,
};

/**
 * Outputs of a rotation document (`rotationDocumentFor(app document)`, contract/hook-spec.ts), written
 * by `hook apply` of a `secret_rotation` spec and by `cdktf-xero secret stage`. Timestamps are
 * RFC 3339 UTC; "" means none. Secret values live only in the `secrets` envelope, under
 * {@link RotationSecretKeys}; the plain outputs carry keyed fingerprints.
 */
export const RotationOutputs = {
  /** The trigger value the hook last ran for; `secret stage` bumps it (number). */
  generation: "generation",
  /** When the next scheduled run is wanted (80% mark, maxAge, previous expiry, or a daily reminder once overdue); always in the future after an apply. */
  dueAt: "due_at",
  /** Keyed fingerprint of CURRENT (`hmac-sha256:<kid>:<hex>`), "" before the first apply. */
  currentFingerprint: "current_fingerprint",
  /** When CURRENT became current. */
  rotatedAt: "rotated_at",
  /** When CURRENT becomes overdue: `rotated_at + maxAge`. */
  nextDue: "next_due",
  /** When PREVIOUS is dropped; "" when there is no PREVIOUS. */
  previousExpiresAt: "previous_expires_at",
  /** Keyed fingerprint of PENDING; "" when nothing is staged. */
  pendingFingerprint: "pending_fingerprint",
  /** The id of the rotation in flight or last promoted; "" before the first stage. */
  rotationId: "rotation_id",
  /** The last protocol step recorded (see {@link RotationStep}). */
  step: "step",
  /** The AES-256-GCM envelope with `current`, `pending`, `previous`; never read back by Terraform. */
  secrets: "secrets",
} as const;

export type RotationOutputName = (typeof RotationOutputs)[keyof typeof RotationOutputs];

/** Keys inside a rotation document's `secrets` envelope. */
export const RotationSecretKeys = { current: "current", pending: "pending", previous: "previous" } as const;

/**
 * Protocol steps, in the order a rotation passes them. Each is recorded before the action it names:
 * `staged` (PENDING written), `testing` (about to prove PENDING), `test_failed`, `promoted` (one CAS:
 * PENDING → CURRENT → PREVIOUS), `finished` (PREVIOUS dropped), `bootstrapped` (first CURRENT taken
 * from the app's declared secret, once proved), `pending_cleared` (`hook destroy` dropped PENDING, or
 * PENDING equalled CURRENT).
 */
export type RotationStep =
  | "bootstrapped"
  | "staged"
  | "testing"
  | "test_failed"
  | "promoted"
  | "finished"
  | "pending_cleared";

export interface RotationOutputValues {
  readonly generation: number;
  readonly due_at: string;
  readonly current_fingerprint: string;
  readonly rotated_at: string;
  readonly next_due: string;
  readonly previous_expires_at: string;
  readonly pending_fingerprint: string;
  readonly rotation_id: string;
  readonly step: string;
  readonly secrets: string;
}

/** Terraform's state `type` of each rotation output. */
export const ROTATION_OUTPUT_TYPES: Readonly<Record<RotationOutputName, string>> = {
  generation: "number",
  due_at: "string",
  current_fingerprint: "string",
  rotated_at: "string",
  next_due: "string",
  previous_expires_at: "string",
  pending_fingerprint: "string",
  rotation_id: "string",
  step: "string",
  secrets: "string",
};

/** Outputs `hook apply` of a rotation always writes (read back as construct attributes). */
export const SECRET_ROTATION_OUTPUTS = [
  RotationOutputs.generation,
  RotationOutputs.dueAt,
  RotationOutputs.currentFingerprint,
  RotationOutputs.rotatedAt,
  RotationOutputs.nextDue,
  RotationOutputs.previousExpiresAt,
  RotationOutputs.pendingFingerprint,
  RotationOutputs.rotationId,
  RotationOutputs.step,
] as const;

/** Status-read defaults of a rotation document (before `hook init`/`apply` wrote it). */
export const ROTATION_STATUS_DEFAULTS: Readonly<Omit<RotationOutputValues, "secrets">> = {
  generation: 0,
  due_at: NEVER_DUE,
  current_fingerprint: "",
  rotated_at: "",
  next_due: "",
  previous_expires_at: "",
  pending_fingerprint: "",
  rotation_id: "",
  step: "",
};

/** What a CData Xero JDBC URL is built from. Never a secret: the driver gets those elsewhere. */
export interface CdataJdbcUrlParts {
  readonly appKind: "web" | "pkce" | "custom_connection";
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Web and PKCE apps: the redirect URI the driver listens on (CData's `CallbackURL`). */
  readonly callbackUrl?: string;
  /**
   * CData's `InitiateOAuth`, appended after `Scope` when given (`GETANDREFRESH`: the driver signs the
   * user in and keeps the tokens refreshed).
   * @default - not written (the driver's own default)
   */
  readonly initiateOAuth?: "OFF" | "GETANDREFRESH" | "REFRESH";
}

const AUTH_SCHEME = { web: "OAuth", pkce: "PKCE", custom_connection: "OAuthClient" } as const;

/** CData quotes a property value that holds `;`, `=`, quotes or surrounding spaces. */
function cdataValue(value: string): string {
  if (!/[;="']/.test(value) && value.trim() === value) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * The CData Xero JDBC URL for an app, without a secret (`OAuthClientSecret` is left for the
 * consumer to supply at run time).
 *
 * @example
 * formatCdataJdbcUrl({ appKind: "custom_connection", clientId: "6E4D…", scopes: ["accounting.invoices.read"] })
 * // "jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=6E4D…;Scope=accounting.invoices.read;"
 */
export function formatCdataJdbcUrl(parts: CdataJdbcUrlParts): string {
  const properties: Array<[string, string]> = [
    ["AuthScheme", AUTH_SCHEME[parts.appKind]],
    ["OAuthClientId", parts.clientId],
  ];
  if (parts.appKind !== "custom_connection" && parts.callbackUrl !== undefined) {
    properties.push(["CallbackURL", parts.callbackUrl]);
  }
  properties.push(["Scope", parts.scopes.join(" ")]);
  if (parts.initiateOAuth !== undefined) properties.push(["InitiateOAuth", parts.initiateOAuth]);
  return `jdbc:xero:${properties.map(([key, value]) => `${key}=${cdataValue(value)};`).join("")}`;
}
