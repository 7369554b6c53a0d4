import type { SecretReference } from "../../../contract/spec-common";
import { XeroInvalidClientError, XeroUnauthorizedClientError } from "../../xero/errors";
import type { XeroTokenSet } from "../../xero/parse-token";
import type { OperationContext, HookXeroClient } from "../runtime/context";
import {
  HookAppKindMismatchError,
  HookAuthorizeRefusedError,
  HookInvalidClientError,
  HookRedirectUriNotRegisteredError,
  HookScopeNotAllowedError,
  type RefusedAuthorizeRequest,
} from "./errors";
import type { AppDescription } from "../runtime/errors";

/** An app as the hooks prove it: names, ids and where its secret comes from. */
export interface AppCredentials extends AppDescription {
  readonly secretReference: SecretReference | undefined;
}

/**
 * The hook's reading of Xero's answer about the client itself: `invalid_client` and
 * `unauthorized_client` become errors that name the app and say what to check in the portal;
 * everything else (Xero unavailable, rate limited, protocol) keeps its own typed error.
 */
export function translateClientError(error: unknown, app: AppCredentials, grant: string): unknown {
  if (error instanceof XeroInvalidClientError) return new HookInvalidClientError(app, app.secretReference, { cause: error });
  if (error instanceof XeroUnauthorizedClientError) return new HookAppKindMismatchError(app, grant, { cause: error });
  return error;
}

/**
 * A Custom Connection's client_credentials token (no scopes asked: Xero grants every scope the
 * connection has), with Xero's client errors translated.
 */
export async function customConnectionToken(
  app: AppCredentials,
  secret: string,
  ctx: OperationContext,
): Promise<{ client: HookXeroClient; tokens: XeroTokenSet }> {
  const client = ctx.xeroClient({ clientId: app.clientId, clientSecret: secret });
  try {
    return { client, tokens: await client.clientCredentials() };
  } catch (error) {
    throw translateClientError(error, app, "client_credentials");
  }
}

/**
 * The scopes a Custom Connection holds: the access token's `scope` claim (what Xero will enforce),
 * falling back to the token response's `scope` when the claim is absent.
 */
export function grantedScopesOf(client: HookXeroClient, tokens: XeroTokenSet): readonly string[] {
  const claimed = client.decodeAccessToken(tokens.accessToken).scopes;
  return claimed.length > 0 ? claimed : tokens.scopes;
}

/**
 * Proves a Web or PKCE app's client id (and a Web app's secret) live with a deliberately invalid
 * authorization code: `invalid_grant` means valid. PKCE apps are public clients (client id in the
 * body, no secret).
 */
export async function probeAuthorizationCodeClient(app: AppCredentials, secret: string | undefined, ctx: OperationContext): Promise<HookXeroClient> {
  const client = ctx.xeroClient(secret === undefined ? { clientId: app.clientId } : { clientId: app.clientId, clientSecret: secret });
  let result: Awaited<ReturnType<HookXeroClient["probeClient"]>>;
  try {
    result = await client.probeClient();
  } catch (error) {
    throw translateClientError(error, app, "authorization_code");
  }
  if (!result.valid) throw new HookInvalidClientError(app, app.secretReference, { cause: result.error });
  return client;
}

/**
 * Proves a Web or PKCE app's declared redirect URIs and scopes with authorize requests that need no
 * user (Xero checks client, redirect URI and scopes before it asks anyone to sign in): one per
 * redirect URI with every declared scope. Only when one is refused, more requests say why: the
 * redirect URI alone (with `openid`, which every app may ask for), then each scope alone.
 *
 * @returns how many authorize requests were sent (the control request aside)
 */
export async function proveAuthorizeRequests(
  app: AppCredentials,
  client: HookXeroClient,
  redirectUris: readonly string[],
  scopes: readonly string[],
): Promise<number> {
  let sent = 0;
  const probe = async (redirectUri: string, asked: readonly string[]) => {
    sent += 1;
    return client.probeAuthorize({ redirectUri, scopes: asked });
  };
  const refused: RefusedAuthorizeRequest[] = [];
  for (const redirectUri of redirectUris) {
    const result = await probe(redirectUri, scopes);
    if (!result.accepted) refused.push(result);
  }
  const [first] = refused;
  if (first === undefined) return sent;
  const notRegistered: RefusedAuthorizeRequest[] = [];
  for (const request of refused) {
    const alone = await probe(request.redirectUri, ["openid"]);
    if (!alone.accepted) notRegistered.push(alone);
  }
  if (notRegistered.length > 0) throw new HookRedirectUriNotRegisteredError(app, notRegistered);
  const notAllowed: string[] = [];
  let scopeAnswer: RefusedAuthorizeRequest | undefined;
  for (const scope of scopes) {
    const alone = await probe(first.redirectUri, [scope]);
    if (!alone.accepted) {
      notAllowed.push(scope);
      scopeAnswer ??= alone;
    }
  }
  if (scopeAnswer !== undefined) throw new HookScopeNotAllowedError(app, notAllowed, scopeAnswer);
  throw new HookAuthorizeRefusedError(app, scopes, first);
}
