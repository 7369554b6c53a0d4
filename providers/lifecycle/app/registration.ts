import { formatCdataJdbcUrl } from "../../../contract/cdata-jdbc-url";
import { RegistrationOutputs, type AppRegistrationSpec } from "../../../contract/registration";
import { ConfigError } from "../../errors";
import {
  customConnectionToken,
  grantedScopesOf,
  probeAuthorizationCodeClient,
  proveAuthorizeRequests,
  type AppCredentials,
} from "./credentials";
import type { HookContext } from "../runtime/context";
import { isSameScopeSet, sortedScopes } from "./scopes";
import { HookScopeMismatchError } from "./errors";
import { describeApp, XERO_APP_MANAGEMENT_URL } from "../runtime/errors";
import type { HookRun } from "../runtime/inputs";
import type { KindHooks } from "../runtime/kind-hooks";
import { checkAppSecret } from "../runtime/preflight";
import { recordApply } from "../runtime/record";
import type { HookResult } from "../runtime/result";
import { retireDocument } from "../runtime/retire";
import { resolveAppSecret } from "./current-secret";
import { ClientSecretSourceOutputs, encodeClientSecretSource } from "../../../contract/client-secret-source";

function credentialsOf(spec: AppRegistrationSpec): AppCredentials {
  return { appName: spec.appName, clientId: spec.clientId, appKind: spec.appKind, secretReference: spec.clientSecret };
}

/**
 * `hook apply` for an `XeroAppRegistration`: proves the credentials live, compares scopes, records.
 *
 * - Custom Connection: client_credentials without scopes; the token's `scope` claim is what Xero
 *   granted and must equal the declared scopes as a set.
 * - Web and PKCE: the invalid-code probe (`invalid_grant` = valid client), then one authorize
 *   request per declared redirect URI with the declared scopes, which Xero answers without a user
 *   (sign-in page = valid, error page = not). Their scopes are granted per user consent, so they
 *   are recorded as `declared_scopes`, and `granted_scopes` stays empty.
 *
 * The secret is the CURRENT of the app's rotation once one is recorded, else the spec's reference
 * (current-secret.ts). A secret from `env` or `file` is never stored (the reference stays the
 * source of truth); an existing `secrets` envelope is kept as it is.
 */
export async function applyRegistration(spec: AppRegistrationSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const declared = credentialsOf(spec);
  const resolved = spec.clientSecret === undefined ? undefined : await resolveAppSecret(spec.document, spec.backend, spec.clientSecret, declared, ctx);
  const app: AppCredentials = { ...declared, secretReference: resolved?.reference };
  const secret = resolved?.value;
  let granted: readonly string[];
  let scopeNote: string;
  if (spec.appKind === "custom_connection") {
    // The spec validator requires it (parseHookSpec); only a spec built in code, past the validator, can lack it.
    if (secret === undefined) {
      throw new ConfigError(
        `the hook spec of "${spec.document}" has no clientSecret, which a custom_connection app requires; declare the app with ` +
          `clientSecret (XeroSecret.fromEnv, fromFile or fromState) and synthesize again (\`cdktf synth\`)`,
        { context: { document: spec.document } },
      );
    }
    const { client, tokens } = await customConnectionToken(app, secret, ctx);
    granted = grantedScopesOf(client, tokens);
    if (!isSameScopeSet(spec.scopes, granted)) throw new HookScopeMismatchError(app, spec.scopes, granted);
    scopeNote = "granted scopes match the declaration";
  } else {
    const client = await probeAuthorizationCodeClient(app, secret, ctx);
    await proveAuthorizeRequests(app, client, spec.redirectUris, spec.scopes);
    granted = [];
    const uris = spec.redirectUris.length === 1 ? "redirect URI" : `${spec.redirectUris.length} redirect URIs`;
    scopeNote =
      `Xero's authorize endpoint takes its ${uris} and declared scopes (asked with no user); ` +
      "scopes recorded as declared, none as granted (only a user's consent grants them)";
  }

  return recordApply(spec, run, ctx, {
    outputs: {
      ...RegistrationOutputs.encode({
        clientId: spec.clientId,
        kind: spec.appKind,
        appName: spec.appName,
        grantedScopes: sortedScopes(granted),
        declaredScopes: sortedScopes(spec.scopes),
        jdbcUrl: formatCdataJdbcUrl({
          appKind: spec.appKind,
          clientId: spec.clientId,
          scopes: spec.scopes,
          ...(spec.redirectUris[0] === undefined ? {} : { callbackUrl: spec.redirectUris[0] }),
          ...(spec.appKind === "custom_connection" ? {} : { initiateOAuth: "GETANDREFRESH" as const }),
        }),
      }),
      // So `cdktf-xero token` can mint a Custom Connection's access token from this document alone.
      ...(spec.appKind === "custom_connection" && spec.clientSecret !== undefined
        ? { [ClientSecretSourceOutputs.source]: encodeClientSecretSource({ appDocument: spec.document, backend: spec.backend, clientSecret: spec.clientSecret }) }
        : {}),
    },
    summary: `${describeApp(app)} is live; ${scopeNote}`,
  });
}

/** `hook destroy` for an `XeroAppRegistration`: retires the document and says what to delete in the portal. */
export async function destroyRegistration(spec: AppRegistrationSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  return retireDocument(spec, run, ctx, {
    afterRetire: () =>
      ctx.say(
        `cdktf-xero: ${spec.document}: Xero has no API to delete apps: if ${describeApp(credentialsOf(spec))} is no longer used, ` +
          `delete it (and its secrets) at ${XERO_APP_MANAGEMENT_URL}.`,
      ),
  });
}

/** An `XeroAppRegistration`'s hooks; init checks its secret (a PKCE app has none). */
export const registrationHooks: KindHooks<AppRegistrationSpec> = {
  readyChecks: (spec, ctx) => {
    const reference = spec.clientSecret;
    if (reference === undefined) return [];
    return [() => checkAppSecret(spec.document, { description: spec, document: spec.document, backend: spec.backend, reference }, ctx)];
  },
  apply: applyRegistration,
  destroy: destroyRegistration,
};
