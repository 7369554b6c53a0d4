import { authenticateClient } from "../client-auth";
import type { EmulatorContext, HandlerResult, RequestHooks } from "../context";
import { NO_HOOKS } from "../context";
import { isFormEncoded, methodNotAllowed, type EmulatorRequest } from "../http";
import type { AppKind } from "../state";
import { tokenError } from "./token-responses";
import { exchangeAuthorizationCode, exchangeClientCredentials, exchangeRefreshToken } from "./grants";

/**
 * POST {identityUrl}/connect/token. Order as IdentityServer: content type, client authentication
 * (invalid_client), grant type (unsupported_grant_type), grant allowed for this kind of app
 * (unauthorized_client), then the grant itself.
 */
export const TOKEN_PATH = "/identity/connect/token";

const GRANTS_BY_KIND: Readonly<Record<AppKind, readonly string[]>> = {
  web: ["authorization_code", "refresh_token"],
  pkce: ["authorization_code", "refresh_token"],
  custom_connection: ["client_credentials"],
};
const KNOWN_GRANTS = new Set(["authorization_code", "refresh_token", "client_credentials"]);

export async function handleToken(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  if (!isFormEncoded(request)) {
    return tokenError("invalid_request", { note: "token requests must be application/x-www-form-urlencoded" });
  }
  await hooks.simulateLatency();
  const form = new URLSearchParams(request.body);
  const auth = authenticateClient(request.headers.authorization, form, ctx.state);
  if (!auth.ok) return tokenError("invalid_client", { note: auth.reason });

  const grantType = form.get("grant_type") ?? "";
  if (!KNOWN_GRANTS.has(grantType)) return tokenError("unsupported_grant_type", { note: `grant_type ${JSON.stringify(grantType)}` });
  if (!GRANTS_BY_KIND[auth.app.kind].includes(grantType)) {
    return tokenError("unauthorized_client", { note: `${auth.app.kind} apps may not use ${grantType}` });
  }
  switch (grantType) {
    case "authorization_code":
      return exchangeAuthorizationCode(ctx, auth.app, form);
    case "refresh_token":
      return exchangeRefreshToken(ctx, auth.app, form);
    default:
      return exchangeClientCredentials(ctx, auth.app, form);
  }
}
