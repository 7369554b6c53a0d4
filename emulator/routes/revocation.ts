import { authenticateClient } from "../client-auth";
import type { EmulatorContext, HandlerResult, RequestHooks } from "../context";
import { NO_HOOKS } from "../context";
import { emptyResponse, isFormEncoded, methodNotAllowed, type EmulatorRequest } from "../http";
import { NO_STORE_HEADERS, tokenError } from "./token-responses";

/**
 * POST {identityUrl}/connect/revocation (RFC 7009, as IdentityServer answers it): `token` plus
 * client authentication. Revoking a refresh token ends the user's grant to the app and removes all
 * of that user's connections to it. Unknown tokens and JWT access tokens answer 200 and change
 * nothing; a token of another client is left alone (also 200).
 */
export const REVOCATION_PATH = "/identity/connect/revocation";

export async function handleRevocation(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  if (!isFormEncoded(request)) return tokenError("invalid_request", { note: "revocation requests must be application/x-www-form-urlencoded" });
  await hooks.simulateLatency();
  const form = new URLSearchParams(request.body);
  const auth = authenticateClient(request.headers.authorization, form, ctx.state);
  if (!auth.ok) return tokenError("invalid_client", { note: auth.reason, status: ctx.options.invalidClientStatus });
  const token = form.get("token");
  if (token === null || token.length === 0) return tokenError("invalid_request", { note: "token missing" });
  const hint = form.get("token_type_hint");
  if (hint !== null && hint !== "refresh_token" && hint !== "access_token") {
    return tokenError("unsupported_token_type", { note: `token_type_hint ${hint}` });
  }
  const ok = (note: string): HandlerResult => ({ ...emptyResponse(200, { ...NO_STORE_HEADERS }), note });
  const record = ctx.tokens.findRefreshToken(token);
  if (record === undefined) return ok("not a refresh token the emulator issued: nothing revoked");
  if (record.clientId !== auth.app.clientId) return ok("refresh token belongs to another client: nothing revoked");
  ctx.tokens.revokeGrant(record.clientId, record.session.userId);
  const removed = ctx.state.removeUserConnections(record.clientId, record.session.userId);
  return ok(`grant revoked; ${removed} connection(s) removed`);
}
