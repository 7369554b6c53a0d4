import { createHash } from "node:crypto";
import type { EmulatorContext } from "./context";
import { accessTokenHash, ACCESS_TOKEN_AUDIENCE } from "./signing";
import type { App } from "./state";
import type { AuthSession } from "./token-store";
import { epochSeconds } from "./wire";

/** Builds and signs token responses in Xero's shape and key order. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 1800;
/** IdentityServer's default identity token lifetime. */
export const ID_TOKEN_LIFETIME_SECONDS = 300;

export interface TokenResponseBody {
  id_token?: string;
  access_token: string;
  expires_in: number;
  token_type: "Bearer";
  refresh_token?: string;
  scope: string;
}

export async function issueUserTokens(
  ctx: EmulatorContext,
  input: { app: App; scopes: readonly string[]; session: AuthSession; nonce: string | undefined; refreshToken: string | undefined },
): Promise<TokenResponseBody> {
  const now = ctx.clock.now();
  const iat = epochSeconds(now);
  const user = ctx.state.users.get(input.session.userId);
  const sub = user?.sub ?? input.session.userId;
  const userClaims = userClaimsOf({
    sub,
    authTime: epochSeconds(input.session.authTime),
    userId: input.session.userId,
    globalSessionId: input.session.globalSessionId,
  });
  const accessToken = await ctx.signer.sign({
    nbf: iat,
    exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
    iss: ctx.issuer,
    aud: ACCESS_TOKEN_AUDIENCE,
    client_id: input.app.clientId,
    ...userClaims,
    jti: ctx.random.bytes(16).toString("hex").toUpperCase(),
    authentication_event_id: input.session.authEventId,
    scope: [...input.scopes],
    amr: ["pwd"],
  });
  let idToken: string | undefined;
  if (input.scopes.includes("openid")) {
    idToken = await ctx.signer.sign({
      nbf: iat,
      exp: iat + ID_TOKEN_LIFETIME_SECONDS,
      iss: ctx.issuer,
      aud: input.app.clientId,
      iat,
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
      at_hash: accessTokenHash(accessToken),
      sid: input.session.sid,
      ...userClaims,
      // Xero's order: preferred_username, email, given_name, family_name (its Node SDK's XeroIdToken).
      ...(input.scopes.includes("email") && user !== undefined ? { preferred_username: user.email, email: user.email } : {}),
      ...(input.scopes.includes("profile") && user !== undefined ? { given_name: user.givenName, family_name: user.familyName } : {}),
      amr: ["pwd"],
    });
  }
  return {
    ...(idToken === undefined ? {} : { id_token: idToken }),
    access_token: accessToken,
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    token_type: "Bearer",
    ...(input.refreshToken === undefined ? {} : { refresh_token: input.refreshToken }),
    scope: input.scopes.join(" "),
  };
}

/**
 * Custom Connection tokens: the same shape without user claims (unless `withUserClaims`, the
 * `customConnectionUserClaims` OPEN item), and never a refresh token.
 */
export async function issueClientCredentialsToken(
  ctx: EmulatorContext,
  input: { app: App; scopes: readonly string[]; authEventId: string | undefined; withUserClaims?: boolean },
): Promise<TokenResponseBody> {
  const iat = epochSeconds(ctx.clock.now());
  const accessToken = await ctx.signer.sign({
    nbf: iat,
    exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
    iss: ctx.issuer,
    aud: ACCESS_TOKEN_AUDIENCE,
    client_id: input.app.clientId,
    ...(input.withUserClaims === true ? authorisingUserClaims(input.app, iat) : {}),
    jti: ctx.random.bytes(16).toString("hex").toUpperCase(),
    ...(input.authEventId === undefined ? {} : { authentication_event_id: input.authEventId }),
    scope: [...input.scopes],
    ...(input.withUserClaims === true ? { amr: ["pwd"] } : {}),
  });
  return { access_token: accessToken, expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, token_type: "Bearer", scope: input.scopes.join(" ") };
}

/**
 * The user claims of a Custom Connection's authorising user, stable per app. Who that user is the
 * emulator does not model (the emailed authorisation is `POST /admin/apps/{id}/link`), so the ids are
 * derived from the client id, in Xero's formats: `sub` 32 hex characters, `xero_userid` a uuid.
 */
function authorisingUserClaims(app: App, iat: number): Record<string, unknown> {
  const digest = createHash("sha256").update(`authorising user of ${app.clientId}`).digest("hex");
  const uuid = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return userClaimsOf({ sub: digest.slice(0, 32), authTime: iat, userId: uuid(digest.slice(32, 64)), globalSessionId: uuid(digest.slice(0, 32)) });
}

/** The user claims of Xero's tokens, in Xero's order. */
function userClaimsOf(user: { sub: string; authTime: number; userId: string; globalSessionId: string }): Record<string, unknown> {
  return { sub: user.sub, auth_time: user.authTime, idp: "Xero", xero_userid: user.userId, global_session_id: user.globalSessionId };
}
