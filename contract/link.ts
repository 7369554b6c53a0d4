/**
 * The Custom Connection link kind (`XeroCustomConnection`, `hook apply` proves the one organisation
 * with client credentials and GET /connections): its spec, its rules (the one validator the
 * construct runs at synth and the hook at run time), its document outputs and their status
 * defaults, and its policy numbers. Pure data, no I/O.
 */
import { ClientSecretSourceFields } from "./client-secret-source";
import { documentCodec, CommonOutputFields, textOutput } from "./document-codec";
import { describeValue, type HookSpecBase, type KindFields, type SecretReference, type SpecReader } from "./spec-common";
import type { StateBackendAddress } from "./state-address";

/** What a link knows about the Custom Connection app it uses. */
export interface LinkedAppSpec {
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly appName: string;
  readonly clientId: string;
  readonly clientSecret: SecretReference;
  readonly scopes: readonly string[];
}

/** `XeroCustomConnection`: client credentials + GET /connections; exactly one tenant, the expected one. */
export interface CustomConnectionLinkSpec extends HookSpecBase {
  readonly kind: "custom_connection_link";
  readonly app: LinkedAppSpec;
  readonly expectedTenantId?: string;
  readonly expectedTenantName?: string;
  /** How long `apply` polls while /connections is empty; 0 fails at once with instructions. */
  readonly waitForLinkSeconds: number;
  /** Whether `destroy` deletes the connection (DELETE /connections/{id}). */
  readonly unlinkOnDestroy: boolean;
}

/** Xero tenant and connection ids. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The longest a link hook may wait for the emailed authorisation: a day. */
export const MAX_WAIT_FOR_LINK_SECONDS = 86_400;

/** Why `seconds` cannot be a link's wait (a whole number of seconds from 0 to a day), or undefined. */
export function waitForLinkProblem(seconds: number): string | undefined {
  return Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_WAIT_FOR_LINK_SECONDS
    ? undefined
    : `must be a whole number of seconds from 0 to ${MAX_WAIT_FOR_LINK_SECONDS} (24 hours)`;
}

/**
 * Why `tenantId` is not a Xero tenant id (a uuid), with where to find it, or undefined. `given` is
 * what to show when the value was not a string at all.
 */
export function tenantIdProblem(tenantId: string, given: unknown = tenantId): string | undefined {
  return given === tenantId && UUID_PATTERN.test(tenantId)
    ? undefined
    : `must be a tenant id (a uuid such as "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4"), got ${describeValue(given)}; GET https://api.xero.com/connections with the connection's token shows it, or leave it out and read the link's tenantId after a deploy`;
}

/** Reads a link's own fields from a spec and checks them with the link's rules. */
export function readLink(reader: SpecReader): KindFields<CustomConnectionLinkSpec> {
  const appReader = reader.child("app");
  const app: LinkedAppSpec =
    appReader.object === undefined
      ? { document: "", backend: { type: "local", dir: "" }, appName: "", clientId: "", clientSecret: { source: "env", name: "" }, scopes: [] }
      : appReader.finish({
          document: appReader.document("document"),
          backend: appReader.backend("backend"),
          appName: appReader.text("appName"),
          clientId: appReader.text("clientId"),
          clientSecret: appReader.secret("clientSecret"),
          scopes: appReader.scopes("scopes"),
        });
  const expectedTenantId = reader.optional("expectedTenantId", (key) => reader.text(key));
  const tenantProblem = expectedTenantId === undefined || expectedTenantId === "" ? undefined : tenantIdProblem(expectedTenantId);
  if (tenantProblem !== undefined) reader.problems.push(`${reader.path}.expectedTenantId ${tenantProblem}`);
  const expectedTenantName = reader.optional("expectedTenantName", (key) => reader.text(key));
  const wait = reader.get("waitForLinkSeconds");
  const waitProblem = typeof wait === "number" ? waitForLinkProblem(wait) : "must be a whole number of seconds";
  if (waitProblem !== undefined) reader.problems.push(`${reader.path}.waitForLinkSeconds ${waitProblem}, got ${describeValue(wait)}`);
  return {
    app,
    ...(expectedTenantId === undefined ? {} : { expectedTenantId }),
    ...(expectedTenantName === undefined ? {} : { expectedTenantName }),
    waitForLinkSeconds: typeof wait === "number" ? wait : 0,
    unlinkOnDestroy: reader.boolean("unlinkOnDestroy"),
  };
}

/** A link document's outputs (read back as construct attributes). */
export const LinkOutputs = documentCodec({
  ...CommonOutputFields,
  /** The organisation's tenant id (uuid). */
  tenantId: textOutput("tenant_id", ""),
  /** The organisation's name as Xero reports it. */
  tenantName: textOutput("tenant_name", ""),
  /** `ORGANISATION` or `PRACTICE` (or a type Xero adds later). */
  tenantType: textOutput("tenant_type", ""),
  /** The connection id (what DELETE /connections/{id} takes; not the tenant id). */
  connectionId: textOutput("connection_id", ""),
  ...ClientSecretSourceFields,
});
