import type { SecretReference } from "../../../contract/spec-common";
import { CdktfXeroError } from "../../errors";
import { describeApp, describeSecretReference, KIND_LABEL, XERO_APP_MANAGEMENT_URL, type AppDescription } from "../runtime/errors";

/** Why proving an app failed: its credentials, its kind, its scopes and its redirect URIs (see runtime/errors.ts for the rules). */

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(" ");
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
