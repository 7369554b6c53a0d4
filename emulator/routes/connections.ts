import { toXeroConnection } from "../connection-view";
import type { EmulatorContext, HandlerResult, RequestHooks } from "../context";
import { NO_HOOKS } from "../context";
import { emptyResponse, jsonResponse, methodNotAllowed, type EmulatorRequest } from "../http";
import { authenticateBearer, isHandlerResult } from "./api-auth";
import { tooManyRequests } from "./rate-limited";

/**
 * GET {apiUrl}/connections (optionally `?authEventId=`) and DELETE {apiUrl}/connections/{id}.
 * Tenantless: only the per-app minute limit applies. A token sees its user's connections to its
 * app, or a Custom Connection's one linked organisation.
 */
export const CONNECTIONS_PATH = "/api/connections";

export async function handleConnections(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  const id = request.path === CONNECTIONS_PATH ? undefined : request.path.slice(CONNECTIONS_PATH.length + 1);
  if (id === undefined ? request.method !== "GET" : request.method !== "DELETE") {
    return methodNotAllowed(id === undefined ? ["GET"] : ["DELETE"]);
  }
  const caller = await authenticateBearer(request, ctx);
  if (isHandlerResult(caller)) return caller;
  const admission = ctx.rateLimits.admit(caller.clientId, undefined);
  if (!admission.admitted) return tooManyRequests(admission);
  try {
    await hooks.simulateLatency();
    const visible = ctx.state.connectionsFor(caller.clientId, caller.userId);
    if (id === undefined) {
      const authEventId = request.query.get("authEventId");
      const chosen = authEventId === null ? visible : visible.filter((c) => c.authEventId.toLowerCase() === authEventId.toLowerCase());
      return jsonResponse(200, chosen.map((c) => toXeroConnection(c, ctx.state)), admission.headers);
    }
    const target = visible.find((c) => c.id.toLowerCase() === id.toLowerCase());
    if (target === undefined) return { ...emptyResponse(404, admission.headers), note: `no connection ${id} visible to this token` };
    ctx.state.disconnect(target);
    return emptyResponse(204, admission.headers);
  } finally {
    admission.release();
  }
}
