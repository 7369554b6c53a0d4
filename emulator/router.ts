import type { EmulatorContext, HandlerResult, RequestHooks } from "./context";
import { NO_HOOKS } from "./context";
import { jsonResponse, type EmulatorRequest } from "./http";
import { ADMIN_PREFIX, handleAdmin } from "./routes/admin";
import { DISCOVERY_PATH, handleDiscovery, JWKS_PATH } from "./routes/discovery";
import { handleToken, TOKEN_PATH } from "./routes/token";

/** Sends a request to its route group; the only place that knows the URL layout. */
export async function route(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  const { path } = request;
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return handleAdmin(request, ctx);
  if (path === TOKEN_PATH) return handleToken(request, ctx, hooks);
  if (path === DISCOVERY_PATH || path === JWKS_PATH) return handleDiscovery(request, ctx);
  return jsonResponse(404, { error: "not_found", message: `the emulator serves nothing at ${request.method} ${path}` });
}
