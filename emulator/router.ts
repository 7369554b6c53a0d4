import type { EmulatorContext, HandlerResult, RequestHooks } from "./context";
import { NO_HOOKS } from "./context";
import { jsonResponse, type EmulatorRequest } from "./http";
import { ADMIN_PREFIX, handleAdmin } from "./routes/admin";
import {
  AUTHORIZE_PATH,
  CONNECTION_LIMIT_PATH,
  CONSENT_PATH,
  ERROR_PATH,
  handleAuthorize,
  handleConnectionLimit,
  handleConsent,
  handleErrorPage,
  handleSignIn,
  SIGN_IN_PATH,
} from "./routes/authorize";
import { CONNECTIONS_PATH, handleConnections } from "./routes/connections";
import { DISCOVERY_PATH, handleDiscovery, JWKS_PATH } from "./routes/discovery";
import { handleOrganisation, ORGANISATION_PATH } from "./routes/organisation";
import { handleRevocation, REVOCATION_PATH } from "./routes/revocation";
import { handleToken, TOKEN_PATH } from "./routes/token";

/** Sends a request to its route group; the only place that knows the URL layout. */
export async function route(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  const { path } = request;
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return handleAdmin(request, ctx);
  if (path === TOKEN_PATH) return handleToken(request, ctx, hooks);
  if (path === REVOCATION_PATH) return handleRevocation(request, ctx, hooks);
  if (path === CONNECTIONS_PATH || /^\/api\/connections\/[^/]+$/.test(path)) return handleConnections(request, ctx, hooks);
  if (path.toLowerCase() === ORGANISATION_PATH.toLowerCase()) return handleOrganisation(request, ctx, hooks);
  // Handlers without a slot of their own feel an injected delay before they run.
  await hooks.simulateLatency();
  if (path === DISCOVERY_PATH || path === JWKS_PATH) return handleDiscovery(request, ctx);
  if (path === AUTHORIZE_PATH) return handleAuthorize(request, ctx);
  if (path === CONSENT_PATH) return handleConsent(request, ctx);
  if (path === CONNECTION_LIMIT_PATH) return handleConnectionLimit(request, ctx);
  if (path === SIGN_IN_PATH) return handleSignIn(request, ctx);
  if (path === ERROR_PATH) return handleErrorPage(request, ctx);
  return jsonResponse(404, { error: "not_found", message: `the emulator serves nothing at ${request.method} ${path}` });
}
