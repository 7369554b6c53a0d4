import type { SecretReference } from "../../spec/hook-spec";
import { XeroInvalidClientError, XeroUnauthorizedClientError } from "../xero/errors";
import type { XeroTokenSet } from "../xero/parse-token";
import type { HookContext, HookXeroClient } from "./context";
import { HookAppKindMismatchError, HookInvalidClientError, type AppDescription } from "./errors";

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
  ctx: HookContext,
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
export async function probeAuthorizationCodeClient(app: AppCredentials, secret: string | undefined, ctx: HookContext): Promise<void> {
  const client = ctx.xeroClient(secret === undefined ? { clientId: app.clientId } : { clientId: app.clientId, clientSecret: secret });
  let result: Awaited<ReturnType<HookXeroClient["probeClient"]>>;
  try {
    result = await client.probeClient();
  } catch (error) {
    throw translateClientError(error, app, "authorization_code");
  }
  if (!result.valid) throw new HookInvalidClientError(app, app.secretReference, { cause: result.error });
}
