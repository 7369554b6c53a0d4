import type { EmulatorContext, HandlerResult } from "../context";
import { APP_STORE_SCOPES, parseScopeParameter } from "../scopes";
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

/**
 * Custom Connections get their granted scopes; App Store web apps get `marketplace.billing` and
 * nothing else (no organisation, so no link).
 */
export async function exchangeClientCredentials(ctx: EmulatorContext, app: App, form: URLSearchParams): Promise<HandlerResult> {
  const isCustomConnection = app.kind === "custom_connection";
  const granted = isCustomConnection ? app.scopes : [...APP_STORE_SCOPES];
  const requested = parseScopeParameter(form.get("scope"));
  // Omitted scope: every scope the client was granted.
  const scopes = requested.length === 0 ? [...granted] : requested;
  const missing = scopes.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    return tokenError("invalid_scope", {
      description: "Client credentials scope validation failed",
      note: `not granted to this ${isCustomConnection ? "Custom Connection" : "App Store app's client credentials"}: ${missing.join(" ")}`,
    });
  }
  if (!isCustomConnection) return tokenSuccess(await issueClientCredentialsToken(ctx, { app, scopes, authEventId: undefined }));
  let link = ctx.state.connectionsFor(app.clientId, undefined)[0];
  if (link === undefined && !ctx.options.customConnectionLinkRequired) {
    // Without the email step, the organisation chosen in the portal (else the earliest) links at once.
    const tenantId = app.awaitingAuthorisation?.tenantId ?? ctx.state.orgs.values().next().value?.tenantId;
    if (tenantId !== undefined) link = ctx.state.link(app, tenantId);
  }
  return tokenSuccess(
    await issueClientCredentialsToken(ctx, { app, scopes, authEventId: link?.authEventId, withUserClaims: ctx.options.customConnectionUserClaims }),
  );
}
