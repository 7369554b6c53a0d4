import { CdktfXeroError } from "../errors";
import type { SecretReference } from "../../contract/spec-common";

/**
 * Why a hook failed, each with a stable `code`, a message that names the app (or document), the
 * problem and the fix, and a secret-free `context`. Messages are composed here, from names, ids and
 * secret references only, never from a secret value.
 */

/** The portal page where apps are managed; there is no API for it. */
export const XERO_APP_MANAGEMENT_URL = "https://developer.xero.com/app/manage";

/** The app a message is about: names and ids only. */
export interface AppDescription {
  readonly appName: string;
  readonly clientId: string;
  readonly appKind: "web" | "pkce" | "custom_connection";
}

const KIND_LABEL = { web: "Web app", pkce: "PKCE app", custom_connection: "Custom Connection" } as const;

/** `Custom Connection "Nightly sync" (client id 6E4D…)`. */
export function describeApp(app: AppDescription): string {
  return `${KIND_LABEL[app.appKind]} "${app.appName}" (client id ${app.clientId})`;
}

/** Where a secret comes from, in words: never its value. */
export function describeSecretReference(reference: SecretReference): string {
  switch (reference.source) {
    case "env":
      return `environment variable ${reference.name}`;
    case "file":
      return `file ${reference.path}`;
    case "state":
      return `key "${reference.key}" of state document "${reference.document}"`;
  }
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(" ");
}

/** A secret reference points at nothing usable. Nothing was sent to Xero and nothing was recorded. */
export class HookSecretUnavailableError extends CdktfXeroError {
  readonly code = "HOOK_SECRET_UNAVAILABLE";
  constructor(app: AppDescription, reference: SecretReference, problem: string, fix: string, options: { cause?: unknown } = {}) {
    super(
      `the client secret of ${describeApp(app)} comes from ${describeSecretReference(reference)}, ${problem}. ${fix}; nothing was recorded.`,
      { cause: options.cause, context: { appName: app.appName, clientId: app.clientId, secretSource: reference.source } },
    );
  }
}

/** Xero answered `invalid_client`: the client id is unknown or the secret is not a current one. */
export class HookInvalidClientError extends CdktfXeroError {
  readonly code = "HOOK_INVALID_CLIENT";
  constructor(app: AppDescription, secret: SecretReference | undefined, options: { cause?: unknown } = {}) {
    const check =
      secret === undefined
        ? `that client id ${app.clientId} is the one the portal shows for this app (a PKCE app has no secret)`
        : `that client id ${app.clientId} is the one the portal shows for this app and that the secret in ` +
          `${describeSecretReference(secret)} is one of its current secrets (generate another one if it was deleted)`;
    super(`Xero rejected the credentials of ${describeApp(app)} with invalid_client. Check at ${XERO_APP_MANAGEMENT_URL} ${check}; nothing was recorded.`, {
      cause: options.cause,
      context: { appName: app.appName, clientId: app.clientId, appKind: app.appKind },
    });
  }
}

/** Xero answered `unauthorized_client`: the app exists, but it is not the kind the code declares. */
export class HookAppKindMismatchError extends CdktfXeroError {
  readonly code = "HOOK_APP_KIND_MISMATCH";
  constructor(app: AppDescription, grant: string, options: { cause?: unknown } = {}) {
    super(
      `Xero refused the ${grant} grant for ${describeApp(app)} with unauthorized_client: in Xero it is not a ` +
        `${KIND_LABEL[app.appKind]}. Declare it with the kind the developer portal shows ` +
        `(XeroAppKind.WEB, XeroAppKind.PKCE or XeroAppKind.CUSTOM_CONNECTION); nothing was recorded.`,
      { cause: options.cause, context: { appName: app.appName, clientId: app.clientId, appKind: app.appKind, grant } },
    );
  }
}

/** The scopes Xero granted are not the declared ones (compared as sets). */
export class HookScopeMismatchError extends CdktfXeroError {
  readonly code = "HOOK_SCOPE_MISMATCH";
  readonly declared: readonly string[];
  readonly granted: readonly string[];
  constructor(app: AppDescription, declared: readonly string[], granted: readonly string[]) {
    const notGranted = declared.filter((scope) => !granted.includes(scope));
    const notDeclared = granted.filter((scope) => !declared.includes(scope));
    super(
      `${describeApp(app)}: Xero granted scopes [${list(granted)}] but the code declares [${list(declared)}] ` +
        `(declared, not granted: ${list(notGranted)}; granted, not declared: ${list(notDeclared)}). ` +
        `Update the app's scopes in the Xero developer portal (${XERO_APP_MANAGEMENT_URL}; a Custom Connection must then be ` +
        `re-authorised), or change the scopes in the code to match; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, declared: [...declared], granted: [...granted] } },
    );
    this.declared = declared;
    this.granted = granted;
  }
}

/** What Xero's authorize endpoint answered to one refused probe (see providers/xero/authorize-probe.ts). */
export interface RefusedAuthorizeRequest {
  readonly redirectUri: string;
  readonly error: string | undefined;
  readonly answer: string;
}

function describeAnswer(refused: RefusedAuthorizeRequest): string {
  return refused.error === undefined ? refused.answer : `${refused.answer}, ${refused.error}`;
}

/** The authorize endpoint refused a declared redirect URI: the app in the portal does not have it. */
export class HookRedirectUriNotRegisteredError extends CdktfXeroError {
  readonly code = "HOOK_REDIRECT_URI_NOT_REGISTERED";
  constructor(app: AppDescription, refused: readonly RefusedAuthorizeRequest[]) {
    const uris = refused.map((r) => `"${r.redirectUri}" (${describeAnswer(r)})`).join(", ");
    super(
      `Xero's authorize endpoint refused ${describeApp(app)} with redirect URI ${uris}, even with only the openid scope: the app ` +
        `in the developer portal does not have ${refused.length === 1 ? "it" : "them"} (Xero matches redirect URIs exactly: scheme, ` +
        `case, path and trailing slash). Add ${refused.length === 1 ? "it" : "them"} to the app's redirect URIs at ` +
        `${XERO_APP_MANAGEMENT_URL}, or fix redirectUris in the code to the URIs the portal shows; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, redirectUris: refused.map((r) => r.redirectUri) } },
    );
  }
}

/** The authorize endpoint refused declared scopes: the app may not request them. */
export class HookScopeNotAllowedError extends CdktfXeroError {
  readonly code = "HOOK_SCOPE_NOT_ALLOWED";
  constructor(app: AppDescription, scopes: readonly string[], refused: RefusedAuthorizeRequest) {
    super(
      `Xero's authorize endpoint refused ${describeApp(app)} the scope${scopes.length === 1 ? "" : "s"} ${scopes.join(" ")} ` +
        `(${describeAnswer(refused)}; each asked alone with redirect URI "${refused.redirectUri}"): the app may not request ` +
        `${scopes.length === 1 ? "it" : "them"} (a scope Xero does not know, a broad accounting scope on an app created on or after ` +
        `2 March 2026, or one not enabled for the app). Fix scopes in the code, or enable ${scopes.length === 1 ? "it" : "them"} for ` +
        `the app at ${XERO_APP_MANAGEMENT_URL}; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, scopes: [...scopes], redirectUri: refused.redirectUri } },
    );
  }
}

/** The authorize endpoint refused the declared request, though each redirect URI and each scope passed alone. */
export class HookAuthorizeRefusedError extends CdktfXeroError {
  readonly code = "HOOK_AUTHORIZE_REFUSED";
  constructor(app: AppDescription, scopes: readonly string[], refused: RefusedAuthorizeRequest) {
    super(
      `Xero's authorize endpoint refused ${describeApp(app)} with redirect URI "${refused.redirectUri}" and scopes ${scopes.join(" ")} ` +
        `(${describeAnswer(refused)}), though it takes that redirect URI and each scope alone. Check the app's scopes and redirect ` +
        `URIs at ${XERO_APP_MANAGEMENT_URL} against the declaration, and that XERO_LOGIN_URL points at Xero; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, scopes: [...scopes], redirectUri: refused.redirectUri } },
    );
  }
}

/** GET /connections stayed empty: the authorising user has not completed Xero's emailed authorisation. */
export class HookNotLinkedError extends CdktfXeroError {
  readonly code = "HOOK_NOT_LINKED";
  constructor(app: AppDescription, waitedSeconds: number) {
    const waited = waitedSeconds > 0 ? ` after waiting ${waitedSeconds} s` : "";
    super(
      `${describeApp(app)} is not linked to a Xero organisation${waited}. The authorising user named for it in the developer ` +
        `portal must open Xero's email and authorise the connection for the organisation; if the email expired, or the ` +
        `app's scopes or organisation were changed, re-authorise it at ${XERO_APP_MANAGEMENT_URL}. Then run cdktf deploy ` +
        `again (waitForLink makes the deploy wait for the authorisation); nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, waitedSeconds } },
    );
  }
}

/** More than one connection for a Custom Connection, which links exactly one organisation. */
export class HookTooManyConnectionsError extends CdktfXeroError {
  readonly code = "HOOK_TOO_MANY_CONNECTIONS";
  constructor(app: AppDescription, tenants: ReadonlyArray<{ tenantName: string; tenantId: string }>) {
    super(
      `${describeApp(app)} has ${tenants.length} connections (${tenants.map((t) => `"${t.tenantName}" ${t.tenantId}`).join(", ")}), ` +
        `but a Custom Connection links exactly one organisation. Check that XERO_API_URL points at Xero, and re-authorise ` +
        `the connection for one organisation at ${XERO_APP_MANAGEMENT_URL}; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, tenantIds: tenants.map((t) => t.tenantId) } },
    );
  }
}

/** The linked organisation is not the one the code expects. */
export class HookTenantMismatchError extends CdktfXeroError {
  readonly code = "HOOK_TENANT_MISMATCH";
  constructor(
    app: AppDescription,
    actual: { tenantId: string; tenantName: string },
    expected: { tenantId?: string; tenantName?: string },
  ) {
    const wanted = [
      ...(expected.tenantId === undefined ? [] : [`tenant id ${expected.tenantId}`]),
      ...(expected.tenantName === undefined ? [] : [`name "${expected.tenantName}"`]),
    ].join(" and ");
    super(
      `${describeApp(app)} is linked to "${actual.tenantName}" (tenant id ${actual.tenantId}), but the code expects ${wanted}. ` +
        `Re-authorise the Custom Connection for the expected organisation at ${XERO_APP_MANAGEMENT_URL}, or change ` +
        `expectedTenantId / expectedTenantName in the code; nothing was recorded.`,
      {
        context: {
          appName: app.appName,
          clientId: app.clientId,
          tenantId: actual.tenantId,
          expectedTenantId: expected.tenantId ?? null,
          expectedTenantName: expected.tenantName ?? null,
        },
      },
    );
  }
}
