import type { EmulatorContext, HandlerResult } from "../context";
import { parseScopeParameter } from "../scopes";
import type { App } from "../state";
import { issueClientCredentialsToken, issueUserTokens } from "../token-issuer";
import { authorizationCodeProblem, refreshTokenProblem } from "../token-rules";
import { tokenError, tokenSuccess } from "./token-responses";

/** The three grants of the token endpoint, called after client authentication. */

export async function exchangeAuthorizationCode(ctx: EmulatorContext, app: App, form: URLSearchParams): Promise<HandlerResult> {
  const presented = form.get("code");
  if (presented === null || presented.length === 0) return tokenError("invalid_grant", { note: "code missing" });
  const code = ctx.tokens.findCode(presented);
  if (code === undefined) return tokenError("invalid_grant", { note: "unknown authorization code" });
  // Single use: the first redemption attempt consumes the code whatever its outcome (IdentityServer).
  const wasRedeemed = code.redeemed;
  code.redeemed = true;
  const problem = authorizationCodeProblem({
    code,
    wasRedeemed,
    clientId: app.clientId,
    redirectUri: form.get("redirect_uri"),
    codeVerifier: form.get("code_verifier"),
    now: ctx.clock.now(),
    lifetimeSeconds: ctx.options.authorizationCodeLifetimeSeconds,
  });
  if (problem !== undefined) return tokenError("invalid_grant", { note: problem });
  const refresh = code.scopes.includes("offline_access")
    ? ctx.tokens.issueRefreshToken({ clientId: app.clientId, scopes: code.scopes, session: code.session })
    : undefined;
  return tokenSuccess(
    await issueUserTokens(ctx, { app, scopes: code.scopes, session: code.session, nonce: code.nonce, refreshToken: refresh?.handle }),
  );
}

export async function exchangeRefreshToken(ctx: EmulatorContext, app: App, form: URLSearchParams): Promise<HandlerResult> {
  const presented = form.get("refresh_token");
  if (presented === null || presented.length === 0) return tokenError("invalid_request", { note: "refresh_token missing" });
  const token = ctx.tokens.findRefreshToken(presented);
  if (token === undefined) return tokenError("invalid_grant", { note: "unknown refresh token" });
  const successor = token.successor === undefined ? undefined : ctx.tokens.findRefreshToken(token.successor);
  const problem = refreshTokenProblem({ token, successor, clientId: app.clientId, now: ctx.clock.now() });
  if (problem !== undefined) return tokenError("invalid_grant", { note: problem });
  const next = ctx.tokens.rotate(token);
  const result = await issueUserTokens(ctx, { app, scopes: token.scopes, session: token.session, nonce: undefined, refreshToken: next.handle });
  return { ...tokenSuccess(result), ...(successor === undefined ? {} : { note: "old refresh token reused within the 30-minute grace" }) };
}

export async function exchangeClientCredentials(ctx: EmulatorContext, app: App, form: URLSearchParams): Promise<HandlerResult> {
  const requested = parseScopeParameter(form.get("scope"));
  // Omitted scope: every scope the Custom Connection was granted.
  const scopes = requested.length === 0 ? [...app.scopes] : requested;
  const missing = scopes.filter((scope) => !app.scopes.includes(scope));
  if (missing.length > 0) {
    return tokenError("invalid_scope", {
      description: "Client credentials scope validation failed",
      note: `not granted to this Custom Connection: ${missing.join(" ")}`,
    });
  }
  let link = ctx.state.connectionsFor(app.clientId, undefined)[0];
  if (link === undefined && !ctx.options.customConnectionLinkRequired) {
    const firstOrg = ctx.state.orgs.values().next();
    if (firstOrg.done !== true) link = ctx.state.link(app, firstOrg.value.tenantId);
  }
  return tokenSuccess(await issueClientCredentialsToken(ctx, { app, scopes, authEventId: link?.authEventId }));
}
