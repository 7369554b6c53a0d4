import { authenticateClient, presentedCredentials } from "../client-auth";
import type { EmulatorContext, HandlerResult, RequestHooks } from "../context";
import { NO_HOOKS } from "../context";
import { isFormEncoded, methodNotAllowed, type EmulatorRequest } from "../http";
import type { App, AppKind } from "../state";
import { tokenError, tokenRateLimited } from "./token-responses";
import { exchangeAuthorizationCode, exchangeClientCredentials, exchangeRefreshToken } from "./grants";

/**
 * POST {identityUrl}/connect/token. First the optional endpoint limit (`tokenRateLimitPerMinute`,
 * as a gateway in front would), then in IdentityServer's order: content type, client authentication
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

function allowedGrants(app: App): readonly string[] {
  // App Store apps also use client credentials, for marketplace.billing only.
  return app.appStore ? [...GRANTS_BY_KIND[app.kind], "client_credentials"] : GRANTS_BY_KIND[app.kind];
}

export async function handleToken(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  if (ctx.tokenRateLimit !== undefined) {
    const presented = presentedCredentials(request.headers.authorization, new URLSearchParams(request.body));
    const refusal = ctx.tokenRateLimit.admit(typeof presented === "string" ? "" : presented.clientId);
    if (refusal !== undefined) return tokenRateLimited(refusal.retryAfterSeconds, ctx.tokenRateLimit.perMinute);
  }
  if (!isFormEncoded(request)) {
    return tokenError("invalid_request", { note: "token requests must be application/x-www-form-urlencoded" });
  }
  // The work (a signed JWT, the most CPU any answer costs here) is done during the latency, which
  // the server waits out before answering: the answer leaves `latencyMs` after the request arrived,
  // not that plus the signing, as a Xero that answers in that time would. An injected hold or delay
  // still comes first, so a test holds a refresh before it is committed.
  await hooks.awaitInjectedDelay();
  const form = new URLSearchParams(request.body);
  const auth = authenticateClient(request.headers.authorization, form, ctx.state);
  if (!auth.ok) return tokenError("invalid_client", { note: auth.reason, status: ctx.options.invalidClientStatus });

  const grantType = form.get("grant_type") ?? "";
  if (!KNOWN_GRANTS.has(grantType)) return tokenError("unsupported_grant_type", { note: `grant_type ${JSON.stringify(grantType)}` });
  if (!allowedGrants(auth.app).includes(grantType)) {
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
