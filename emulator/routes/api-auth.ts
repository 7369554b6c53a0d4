import type { EmulatorContext, HandlerResult } from "../context";
import { jsonResponse, type EmulatorRequest } from "../http";

/** Bearer authentication for the API, and Xero's 401 and 403 bodies. */
export interface ApiCaller {
  readonly clientId: string;
  /** `xero_userid`; undefined for a Custom Connection's token, whatever its claims. */
  readonly userId: string | undefined;
  readonly scopes: readonly string[];
}

export function unauthorized(ctx: EmulatorContext, note: string): HandlerResult {
  return {
    ...jsonResponse(401, {
      Type: null,
      Title: "Unauthorized",
      Status: 401,
      Detail: "AuthenticationUnsuccessful",
      Instance: ctx.random.uuid(),
      Extensions: {},
    }),
    note,
  };
}

export function forbidden(ctx: EmulatorContext, note: string, headers: Record<string, string> = {}): HandlerResult {
  return {
    ...jsonResponse(403, { title: "Forbidden", status: 403, detail: "AuthenticationUnsuccessful", instance: ctx.random.uuid() }, headers),
    note,
  };
}

/** The caller of a bearer-authenticated request, or Xero's 401 answer. */
export async function authenticateBearer(request: EmulatorRequest, ctx: EmulatorContext): Promise<ApiCaller | HandlerResult> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return unauthorized(ctx, "no Bearer access token");
  const claims = await ctx.signer.verifyAccessToken(match[1], ctx.issuer, ctx.clock.now());
  if (claims === undefined) return unauthorized(ctx, "access token is invalid, expired or from another issuer");
  const clientId = claims["client_id"];
  const userId = claims["xero_userid"];
  const scope = claims["scope"];
  if (typeof clientId !== "string" || (userId !== undefined && typeof userId !== "string")) {
    return unauthorized(ctx, "access token lacks client_id or has a malformed xero_userid");
  }
  // A Custom Connection's token speaks for the connection, even with user claims (customConnectionUserClaims).
  const forConnection = ctx.state.apps.get(clientId)?.kind === "custom_connection";
  return {
    clientId,
    userId: forConnection ? undefined : (userId as string | undefined),
    scopes: Array.isArray(scope) ? scope.filter((s): s is string => typeof s === "string") : [],
  };
}

export function isHandlerResult(value: ApiCaller | HandlerResult): value is HandlerResult {
  return "status" in value;
}
