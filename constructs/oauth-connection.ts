import type { TerraformRemoteState, TerraformStack } from "cdktf";
import { TerraformStack as Stack, Token } from "cdktf";
import type { Construct } from "constructs";
import * as path from "node:path";
import {
  CONNECTION_ON_DESTROY,
  ConnectionOutputs,
  ConnectionPolicy,
  connectionProblems,
  isTenantId,
  keepAliveSecondsProblem,
  type ConnectionOnDestroy,
  type ConsentedAppKind,
  type OAuthConnectionSpec,
} from "../contract/connection";
import type { XeroScope } from "../contract/scopes";
import { APP_KIND_LABEL } from "../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../contract/state-address";
import { XeroAppRegistration, type IXeroAppRegistration } from "./app-registration";
import { Duration } from "./duration";
import { describeValue } from "./errors";
import type { FieldCheck } from "./field-rules";
import { untrusted, XeroHookConstruct } from "./hook-construct";
import type { XeroHookResourceType } from "./hook-resource";
import { escapeTemplate } from "./hook-parts";
import { stackDirectory } from "./paths";
import { checkScopes } from "./scope-rules";
import type { XeroState } from "./xero-state";

/**
 * What destroying an {@link XeroOAuthConnection} does with the consent.
 *
 * - `RETAIN`: the document is retired with the token set still in it, and the user's connections
 *   stay in Xero.
 * - `REVOKE`: the refresh token is revoked at Xero (ending the user's grant to the app and their
 *   connections to it), then the token set is dropped and the document retired.
 */
export const XeroConnectionOnDestroy = {
  RETAIN: "retain",
  REVOKE: "revoke",
} as const satisfies Record<string, ConnectionOnDestroy>;

export type XeroConnectionOnDestroyType = (typeof XeroConnectionOnDestroy)[keyof typeof XeroConnectionOnDestroy];

/** Properties of an {@link XeroOAuthConnection}. */
export interface XeroOAuthConnectionProps {
  /**
   * The app the user consents to: an {@link XeroAppRegistration} of kind `WEB` or `PKCE` whose
   * scopes include `offline_access` (without it Xero sends no refresh token).
   */
  readonly app: IXeroAppRegistration;
  /**
   * The organisations the consent must cover, each a tenant id or the organisation's name as Xero
   * shows it (compared ignoring case and surrounding spaces). `hook apply` fails, listing both, when
   * one is not connected. Organisations the user ticks beyond these are fine and recorded.
   *
   * @default - any: whatever the user ticks is recorded
   */
  readonly tenants?: string[];
  /**
   * The scopes the consent asks for: a subset of the app's, with `offline_access`.
   *
   * @default - the app's scopes
   */
  readonly scopes?: XeroScope[];
  /**
   * How old the refresh token may get before it is refreshed: the plan runs this connection's hook
   * again then (which refreshes it under the document's lock), `cdktf-xero refresh --due` refreshes
   * it, and a Terraform check warns on every plan. Xero expires an unused refresh token after
   * 60 days, so at most 55 days (where the check's second assertion fails); at least 1 hour.
   *
   * @default Duration.days(30)
   */
  readonly keepAlive?: Duration;
  /**
   * What destroying this construct does with the consent.
   *
   * @default XeroConnectionOnDestroy.RETAIN
   */
  readonly onDestroy?: XeroConnectionOnDestroyType;
  /**
   * Where the connection's document (which holds the token set, encrypted) lives.
   *
   * @default - the stack's {@link XeroStackDefaults}, else XeroState.local(".cdktf-xero/state")
   */
  readonly state?: XeroState;
  /**
   * Which Terraform resource carries the hooks.
   *
   * @default - the stack's {@link XeroStackDefaults}, else "terraform_data"
   */
  readonly hookResource?: XeroHookResourceType;
}

const SECONDS_PER_DAY = 86_400;
const DEFAULT_KEEP_ALIVE = Duration.days(ConnectionPolicy.defaultKeepAliveSeconds / SECONDS_PER_DAY);
const TENANT_EXAMPLE = `e.g. ["Demo Company (NZ)"] or a tenant id`;

/**
 * One user's consent to a Web or PKCE app, kept alive: `cdktf-xero connect <document>` runs the
 * authorization-code flow once and stores the token set, encrypted, in this construct's document,
 * the only place it lives. `cdktf deploy` verifies the consent (GET /connections with an access
 * token from the locked token path) against the declared organisations and scopes, and refreshes
 * the token set once it is older than `keepAlive`. Consumers get access tokens only from
 * `cdktf-xero token` / `getAccessToken`, never from Terraform: no token is ever an attribute.
 *
 * Renders `Init`, `Status`, `Resource` (the hook resource, after the app's; also re-run when the
 * refresh falls due, via `plantimestamp()`), `State` (the read-back) and a `check` block on the
 * refresh token's age.
 *
 * @example
 * const portal = XeroAppRegistration.web(stack, "Portal", {
 *   appName: "Partner portal",
 *   clientId: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
 *   clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
 *   redirectUris: ["http://localhost:8765/callback"],
 *   scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ],
 * });
 * const books = new XeroOAuthConnection(stack, "Books", { app: portal, tenants: ["Demo Company (NZ)"] });
 * new TerraformOutput(stack, "books_tenants", { value: books.tenantIds });
 *
 * // The first deploy fails with the command to run, once:
 * //   npx cdktf-xero connect prod/Books --backend local:.cdktf-xero/state
 * // then `cdktf deploy` verifies and records the consent.
 */
export class XeroOAuthConnection extends XeroHookConstruct<OAuthConnectionSpec> {
  constructor(scope: Construct, id: string, props: XeroOAuthConnectionProps) {
    super(scope, id);

    const p = untrusted(props);
    const registration = this.checkApp(p.app);
    const tenants = this.findings.take(checkTenants(p.tenants));
    const keepAliveSeconds = this.findings.take(checkKeepAlive(p.keepAlive));
    const onDestroy = this.findings.take(checkOnDestroy(p.onDestroy));
    const declaredScopes = p.scopes === undefined ? undefined : this.findings.take(checkScopes(p.scopes)).scopes;
    const scopes = declaredScopes ?? registration?.spec.scopes ?? [];
    if (registration !== undefined && (declaredScopes === undefined || declaredScopes.length > 0)) {
      // An invalid keepAlive is reported above in the construct's words; the rules see a valid one.
      const rules = { app: { appKind: registration.appKind as ConsentedAppKind, scopes: registration.spec.scopes }, tenants, scopes };
      for (const problem of connectionProblems({ ...rules, keepAliveSeconds: keepAliveSeconds || ConnectionPolicy.defaultKeepAliveSeconds }, "")) {
        this.findings.error(problem);
      }
    }
    const placement = this.placement(p);

    const app = registration as XeroAppRegistration;
    const parts = this.render(
      "oauth_connection",
      placement,
      () => {
        const { document, backend, appName, appKind, clientId, clientSecret, redirectUris, scopes: appScopes } = app.spec;
        if (appKind === "custom_connection") throw new Error(`${app.node.path} is a Custom Connection`); // kind checked above
        return {
          app: { document, backend, appName, appKind, clientId, ...(clientSecret === undefined ? {} : { clientSecret }), redirectUris, scopes: appScopes },
          tenants,
          scopes,
          keepAliveSeconds,
          onDestroy,
        };
      },
      { dependsOn: registration === undefined ? undefined : this.after(app), scheduled: true, statusDefaults: ConnectionOutputs.statusDefaults },
    );
    renderRefreshAgeCheck(Stack.of(this), parts.status, this.spec, connectBackendFlag(this, this.spec.backend));
  }

  /** The tenant ids of the organisations the consent covers, as GET /connections lists them. @returns a token list */
  get tenantIds(): string[] { return this.readList(ConnectionOutputs.names.tenantIds); }

  /** Their names, in the same order as {@link tenantIds}. @returns a token list */
  get tenantNames(): string[] { return this.readList(ConnectionOutputs.names.tenantNames); }

  /** The scopes Xero granted, as its last token response listed them. @returns a token list */
  get grantedScopes(): string[] { return this.readList(ConnectionOutputs.names.grantedScopes); }

  /** The consenting user's email, from the verified id token. @returns a token */
  get userEmail(): string { return this.readString(ConnectionOutputs.names.userEmail); }

  /** When the user last consented (`cdktf-xero connect`), RFC 3339 UTC. @returns a token */
  get connectedAt(): string { return this.readString(ConnectionOutputs.names.connectedAt); }

  /** When the stored refresh token expires unless refreshed (issued + 60 days), RFC 3339 UTC. @returns a token */
  get refreshTokenExpiresAt(): string { return this.readString(ConnectionOutputs.names.refreshTokenExpiresAt); }

  /**
   * `connected`, `awaiting_consent` or `needs_consent` (the document's `connection_status`; named so
   * because every construct's `status` is its status read). @returns a token
   */
  get connectionStatus(): string { return this.readString(ConnectionOutputs.names.status); }

  /** The app, if it is a Web or PKCE registration. */
  private checkApp(value: unknown): XeroAppRegistration | undefined {
    if (!XeroAppRegistration.isXeroAppRegistration(value)) {
      this.findings.error(`app must be an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.PKCE, got ${describeValue(value)}`);
      return undefined;
    }
    if (value.appKind === "custom_connection") {
      this.findings.error(
        `app ${value.node.path} is a ${APP_KIND_LABEL[value.appKind]}, which no user consents to (it is linked by client credentials); ` +
          `use XeroCustomConnection for it, or an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.PKCE here`,
      );
      return undefined;
    }
    return value;
  }
}

/**
 * A Terraform `check` block on the refresh token's age, so every plan and apply warns once it is
 * older than keepAlive, with a failed assertion past 55 days (5 days before Xero expires it) and
 * while a new consent is needed, also when nothing runs the hook. A check never blocks a plan: the
 * deploy it warns about is the one that refreshes the token.
 */
function renderRefreshAgeCheck(stack: TerraformStack, status: TerraformRemoteState, spec: OAuthConnectionSpec, backendFlag: string): void {
  const output = (name: string): string => `data.terraform_remote_state.${status.friendlyUniqueId}.outputs.${name}`;
  const { refreshDueAt, refreshFailAt, refreshTokenExpiresAt, refreshTokenIssuedAt, status: statusName, needsConsentReason } = ConnectionOutputs.names;
  const connection = escapeTemplate(`the connection ${spec.document} (${APP_KIND_LABEL[spec.app.appKind]} "${spec.app.appName}", client id ${spec.app.clientId})`);
  const refresh = escapeTemplate(`run cdktf deploy, or cdktf-xero refresh --due in a daily job`);
  // try(): before the first consent the times are "", and nothing is due.
  const before = (timestamp: string): string => `\${try(timecmp(plantimestamp(), ${output(timestamp)}) < 0, true)}`;
  stack.addOverride(`check.${status.friendlyUniqueId}_refresh_age`, {
    assert: [
      {
        condition: before(refreshDueAt),
        error_message:
          `cdktf-xero: the refresh token of ${connection} is older than its keepAlive (issued \${${output(refreshTokenIssuedAt)}}, ` +
          `due \${${output(refreshDueAt)}}): ${refresh}.`,
      },
      {
        condition: before(refreshFailAt),
        error_message:
          `cdktf-xero: the refresh token of ${connection} is past 55 days (issued \${${output(refreshTokenIssuedAt)}}); Xero expires it at ` +
          `\${${output(refreshTokenExpiresAt)}}, after which only a new consent helps: ${refresh} now.`,
      },
      {
        condition: `\${try(${output(statusName)} != "needs_consent", true)}`,
        error_message: `cdktf-xero: ${connection} needs a new consent (\${${output(needsConsentReason)}}): run cdktf-xero connect ${escapeTemplate(`${spec.document} ${backendFlag}`)}.`,
      },
    ],
  });
}

/**
 * The `--backend` flag of the printed `connect` command, as a person types it from the project root
 * (where `cdktf synth` runs): a local dir in the spec is relative to the stack directory.
 */
function connectBackendFlag(construct: Construct, backend: StateBackendAddress): string {
  if (backend.type === "pg" || path.isAbsolute(backend.dir)) return `--backend ${formatBackendAddress(backend)}`;
  // The one read of the ambient working directory, as paths.ts does: cdktf synthesizes from the project root.
  const fromRoot = path.relative(process.cwd(), path.resolve(stackDirectory(construct), backend.dir)).split(path.sep).join("/") || ".";
  return `--backend local:${fromRoot}`;
}

/** Tenant ids (lower-cased, as Xero reports them) or organisation names, each a literal string. */
function checkTenants(value: unknown): FieldCheck<string[]> {
  if (value === undefined) return { value: [], errors: [], warnings: [] };
  if (!Array.isArray(value) || Token.isUnresolved(value)) {
    return { value: [], errors: [`tenants must be a list of tenant ids or organisation names, ${TENANT_EXAMPLE}, got ${describeValue(value)}`], warnings: [] };
  }
  const errors: string[] = [];
  const tenants = value.map((tenant: unknown, index) => {
    if (typeof tenant !== "string" || Token.isUnresolved(tenant)) {
      errors.push(`tenants[${index}] must be a literal tenant id or organisation name (the hook spec must be complete in cdk.tf.json), got ${describeValue(tenant)}`);
      return "";
    }
    if (tenant.trim() === "") {
      errors.push(`tenants[${index}] must not be empty or whitespace; ${TENANT_EXAMPLE}`);
      return "";
    }
    return isTenantId(tenant.trim()) ? tenant.trim().toLowerCase() : tenant.trim();
  });
  return { value: tenants, errors, warnings: [] };
}

/** keepAlive: a Duration of whole seconds within the connection's policy. */
function checkKeepAlive(value: unknown): FieldCheck<number> {
  const chosen = value ?? DEFAULT_KEEP_ALIVE;
  if (!(chosen instanceof Duration)) {
    return { value: 0, errors: [`keepAlive must be a Duration such as ${DEFAULT_KEEP_ALIVE.toString()}, got ${describeValue(chosen)}`], warnings: [] };
  }
  const problem = keepAliveSecondsProblem(chosen.toSeconds());
  if (problem !== undefined) return { value: 0, errors: [`keepAlive ${problem}, got ${chosen.toString()}; e.g. ${DEFAULT_KEEP_ALIVE.toString()}`], warnings: [] };
  return { value: chosen.toSeconds(), errors: [], warnings: [] };
}

function checkOnDestroy(value: unknown): FieldCheck<ConnectionOnDestroy> {
  if (value === undefined) return { value: "retain", errors: [], warnings: [] };
  if (typeof value === "string" && (CONNECTION_ON_DESTROY as readonly string[]).includes(value)) {
    return { value: value as ConnectionOnDestroy, errors: [], warnings: [] };
  }
  return {
    value: "retain",
    errors: [`onDestroy must be "retain" or "revoke" (XeroConnectionOnDestroy.RETAIN or .REVOKE), got ${describeValue(value)}`],
    warnings: [],
  };
}
