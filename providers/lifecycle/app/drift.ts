import { decodeClientSecretSource } from "../../../contract/client-secret-source";
import { RegistrationOutputs } from "../../../contract/registration";
import type { AppRegistrationSpec } from "../../../contract/registration";
import { isRotationCurrentReference, rotationCurrentReference } from "../../../contract/rotation";
import { APP_KINDS, HOOK_SPEC_VERSION, type AppKind } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import type { DriftFinding } from "../../drift/findings";
import type { DriftCheckContext, DriftTarget, KindCheckResult, KindDriftCheck } from "../../drift/kind-check";
import type { StoredDocument } from "../../state";
import { XeroInvalidClientError, XeroUnauthorizedClientError } from "../../xero/errors";
import { describeApp, describeSecretReference, XERO_APP_MANAGEMENT_URL, type AppDescription } from "../runtime/errors";

/**
 * Drift of an `XeroAppRegistration`, read only:
 * - Custom Connection: a client-credentials token (the one token request drift makes) proves the
 *   secret, and its `scope` claim is compared with the declared scopes;
 * - Web and PKCE: the no-user authorize probe the registration hook uses, one request per declared
 *   redirect URI with the declared scopes; a refusal is diagnosed like the hook does (the URI alone,
 *   then each scope alone). A Web app's secret is not checked: without a user, only a token
 *   request with a made-up authorization code would, and drift sends no such request.
 * From the document alone (backend-only mode), the secret reference and redirect URIs are the ones
 * the apply recorded; a document written before they were recorded names only its rotation's CURRENT.
 */

const CLIENT_ERRORS = new Set(["unauthorized_client", "invalid_client"]);

function appOf(spec: AppRegistrationSpec): AppDescription {
  return { appName: spec.appName, clientId: spec.clientId, appKind: spec.appKind };
}

function scopeWords(scopes: readonly string[]): string {
  return scopes.length === 0 ? "no scopes" : `scopes ${[...scopes].sort().join(" ")}`;
}

async function checkCustomConnection(target: DriftTarget<AppRegistrationSpec>, ctx: DriftCheckContext): Promise<KindCheckResult> {
  const { spec } = target;
  const app = appOf(spec);
  if (spec.clientSecret === undefined) return { findings: [], notes: ["no client secret declared: nothing to prove"] };
  const secret = await ctx.appSecret({ ...app, document: spec.document, backend: spec.backend, reference: spec.clientSecret });
  if (!secret.ok) {
    if (target.origin === "document" && isRotationCurrentReference(spec.clientSecret, spec.document)) {
      return { findings: [], notes: [`not checked live: ${secret.problem} (the document names no other secret; run drift with --stack from the synthesized code)`] };
    }
    return {
      findings: [{ code: "secret.unavailable", expected: `the client secret of ${describeApp(app)} from ${describeSecretReference(spec.clientSecret)}`, live: secret.problem, fix: secret.fix }],
      notes: [],
    };
  }
  let granted: readonly string[];
  try {
    granted = (await ctx.customConnectionToken(spec.clientId, secret.value)).scopes;
  } catch (error) {
    if (error instanceof XeroInvalidClientError) return { findings: [invalidClientFinding(app)], notes: [] };
    if (error instanceof XeroUnauthorizedClientError) {
      return {
        findings: [{
          code: "registration.client_unknown",
          expected: `${describeApp(app)}, a Custom Connection (client_credentials)`,
          live: "Xero answers unauthorized_client: the client id is no Custom Connection (any more)",
          fix: `Check the app at ${XERO_APP_MANAGEMENT_URL}: declare its real kind, or register a Custom Connection and declare its client id; then deploy`,
        }],
        notes: [],
      };
    }
    throw error;
  }
  const missing = spec.scopes.filter((scope) => !granted.includes(scope));
  const extra = granted.filter((scope) => !spec.scopes.includes(scope));
  if (missing.length === 0 && extra.length === 0) return { findings: [], notes: [] };
  return {
    findings: [{
      code: "registration.scopes_differ",
      expected: `granted ${scopeWords(spec.scopes)} (declared)`,
      live: `granted ${scopeWords(granted)}${missing.length > 0 ? `; missing ${missing.join(" ")}` : ""}${extra.length > 0 ? `; extra ${extra.join(" ")}` : ""}`,
      fix:
        `Set the scopes of ${describeApp(app)} back to the declared ones at ${XERO_APP_MANAGEMENT_URL} and have its authorising user ` +
        `re-authorise it (a portal change deactivates a Custom Connection), or declare the scopes Xero grants; then deploy`,
    }],
    notes: [],
  };
}

function invalidClientFinding(app: AppDescription): DriftFinding {
  return {
    code: "registration.invalid_client",
    expected: `${describeApp(app)} accepts its client secret`,
    live: "Xero answers invalid_client to a client_credentials request: the secret was deleted or regenerated, or the app is gone",
    fix:
      `Generate a new secret for the app at ${XERO_APP_MANAGEMENT_URL} and stage it (\`cdktf-xero secret stage <app document>\` with a ` +
      `XeroSecretRotation, or update the variable or file the secret is declared from); then deploy. If the app is gone, register it again and declare its new client id`,
  };
}

async function checkAuthorizationCodeApp(target: DriftTarget<AppRegistrationSpec>, ctx: DriftCheckContext): Promise<KindCheckResult> {
  const { spec } = target;
  const app = appOf(spec);
  const notes = spec.appKind === "web" ? ["the Web app's client secret is not checked: Xero proves it only with a token request, and drift sends none but client credentials"] : [];
  if (target.origin === "document" && spec.redirectUris.length === 0) {
    return { findings: [], notes: [...notes, "redirect URIs and scopes not checked: the document records no redirect URIs (applied before they were recorded; run drift with --stack, or deploy)"] };
  }
  const client = ctx.xero({ clientId: spec.clientId });
  const refused: string[] = [];
  for (const redirectUri of spec.redirectUris) {
    const answer = await client.probeAuthorize({ redirectUri, scopes: spec.scopes });
    if (!answer.accepted) refused.push(redirectUri);
  }
  if (refused.length === 0) return { findings: [], notes };
  const notRegistered: Array<{ redirectUri: string; error: string | undefined; answer: string }> = [];
  for (const redirectUri of refused) {
    const alone = await client.probeAuthorize({ redirectUri, scopes: ["openid"] });
    if (!alone.accepted) notRegistered.push({ redirectUri, error: alone.error, answer: alone.answer });
  }
  if (notRegistered.length === spec.redirectUris.length && notRegistered.every((answer) => answer.error !== undefined && CLIENT_ERRORS.has(answer.error))) {
    return {
      findings: [{
        code: "registration.client_unknown",
        expected: `${describeApp(app)} is registered with Xero`,
        live: `Xero's authorize endpoint answers ${notRegistered[0]?.error ?? "an error"} for the client id with every declared redirect URI (${notRegistered[0]?.answer ?? ""})`,
        fix: `The app is gone or disabled: register it again at ${XERO_APP_MANAGEMENT_URL}, declare its new client id, and deploy`,
      }],
      notes,
    };
  }
  if (notRegistered.length > 0) {
    return {
      findings: [{
        code: "registration.redirect_uri_refused",
        expected: `redirect URIs registered: ${spec.redirectUris.join(" ")}`,
        live: `Xero refuses ${notRegistered.map((answer) => answer.redirectUri).join(" ")} (${notRegistered[0]?.answer ?? ""})`,
        fix: `Add ${notRegistered.map((answer) => answer.redirectUri).join(" ")} back to ${describeApp(app)} at ${XERO_APP_MANAGEMENT_URL} (matched exactly: scheme, case, trailing slash), or remove it from the declaration; then deploy`,
      }],
      notes,
    };
  }
  const first = refused[0] ?? "";
  const notAllowed: string[] = [];
  for (const scope of spec.scopes) {
    const alone = await client.probeAuthorize({ redirectUri: first, scopes: [scope] });
    if (!alone.accepted) notAllowed.push(scope);
  }
  return {
    findings: [{
      code: "registration.scope_refused",
      expected: `Xero takes the declared ${scopeWords(spec.scopes)}`,
      live: notAllowed.length > 0 ? `Xero refuses ${notAllowed.join(" ")}` : "Xero refuses the declared scopes together, though each alone is taken",
      fix: `Allow ${notAllowed.length > 0 ? notAllowed.join(" ") : "the declared scopes"} for ${describeApp(app)} at ${XERO_APP_MANAGEMENT_URL}, or remove them from the declaration; then deploy`,
    }],
    notes,
  };
}

function isAppKind(value: unknown): value is AppKind {
  return typeof value === "string" && (APP_KINDS as readonly string[]).includes(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export const appRegistrationDriftCheck: KindDriftCheck<AppRegistrationSpec> = {
  kind: "app_registration",
  recognises: (stored: StoredDocument) => isAppKind(stored.values[RegistrationOutputs.names.kind]) && typeof stored.values[RegistrationOutputs.names.clientId] === "string",
  specNeedsOtherDocuments: () => false,
  specFromDocument(stored: StoredDocument, backend: StateBackendAddress) {
    const values = stored.values;
    const appKind = values[RegistrationOutputs.names.kind];
    const clientId = values[RegistrationOutputs.names.clientId];
    if (!isAppKind(appKind) || typeof clientId !== "string") return { problem: "the document records no app kind and client id (never applied)" };
    const scopes = stringList(values[RegistrationOutputs.names.declaredScopes]);
    return {
      version: HOOK_SPEC_VERSION,
      kind: "app_registration",
      document: stored.name,
      backend,
      appKind,
      appName: RegistrationOutputs.decode(values).appName ?? stored.name,
      clientId,
      ...(appKind === "pkce" ? {} : { clientSecret: decodeClientSecretSource(values[RegistrationOutputs.names.clientSecretSource])?.clientSecret ?? rotationCurrentReference(stored.name) }),
      redirectUris: stringList(values[RegistrationOutputs.names.redirectUris]),
      scopes,
      createdAfterGranularScopes: true,
    };
  },
  check: (target, ctx) => (target.spec.appKind === "custom_connection" ? checkCustomConnection(target, ctx) : checkAuthorizationCodeApp(target, ctx)),
};
