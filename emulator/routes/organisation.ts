import type { EmulatorContext, HandlerResult, RequestHooks } from "../context";
import { NO_HOOKS } from "../context";
import { jsonResponse, methodNotAllowed, type EmulatorRequest } from "../http";
import { authenticateBearer, forbidden, isHandlerResult } from "./api-auth";
import { tooManyRequests } from "./rate-limited";

/**
 * GET {apiUrl}/api.xro/2.0/Organisation: the one tenant-scoped call the emulator serves, so the
 * per-tenant limits and the 403 for a tenant the token may not use can be exercised. User tokens
 * name the tenant in `xero-tenant-id`; a Custom Connection token uses its linked organisation.
 * Scopes are not checked here.
 */
export const ORGANISATION_PATH = "/api/api.xro/2.0/Organisation";

export async function handleOrganisation(request: EmulatorRequest, ctx: EmulatorContext, hooks: RequestHooks = NO_HOOKS): Promise<HandlerResult> {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  const caller = await authenticateBearer(request, ctx);
  if (isHandlerResult(caller)) return caller;
  const visible = ctx.state.connectionsFor(caller.clientId, caller.userId);
  const named = request.headers["xero-tenant-id"]?.trim().toLowerCase();
  const connection =
    named === undefined || named.length === 0
      ? caller.userId === undefined
        ? visible[0]
        : undefined
      : visible.find((c) => c.tenantId.toLowerCase() === named);
  if (connection === undefined) {
    const why =
      named !== undefined && named.length > 0
        ? `token may not use tenant ${named}`
        : caller.userId === undefined
          ? "Custom Connection is not linked (or awaits re-authorisation after a portal change)"
          : "xero-tenant-id header missing";
    // A refusal is not a call against any tenant, but the app is known, so its header still comes back.
    return forbidden(ctx, why, ctx.rateLimits.appHeaders(caller.clientId));
  }
  const admission = ctx.rateLimits.admit(caller.clientId, connection.tenantId);
  if (!admission.admitted) return tooManyRequests(admission);
  try {
    await hooks.simulateLatency();
    const org = ctx.state.orgs.get(connection.tenantId);
    const now = ctx.clock.now();
    return jsonResponse(
      200,
      {
        Id: ctx.random.uuid(),
        Status: "OK",
        ProviderName: "cdktf-xero emulator",
        DateTimeUTC: `/Date(${now.getTime()})/`,
        Organisations: [
          {
            OrganisationID: connection.tenantId,
            Name: org?.name ?? "",
            // The accounting API's OrganisationType, not the connection's tenantType words.
            OrganisationType: org?.type === "PRACTICE" ? "ACCOUNTING_PRACTICE" : "COMPANY",
          },
        ],
      },
      admission.headers,
    );
  } finally {
    admission.release();
  }
}
