import {
  parseAppChanges,
  parseAppInput,
  parseClockInput,
  parseConsentInput,
  parseFaultInput,
  parseJsonBody,
  parseLinkInput,
  parseOrgInput,
  parseUserInput,
  type Parsed,
} from "../admin-input";
import { toXeroConnection } from "../connection-view";
import type { EmulatorContext, HandlerResult } from "../context";
import { emptyResponse, jsonResponse, type EmulatorRequest } from "../http";
import { parseLatencyInput } from "../latency";
import type { App, XeroState } from "../state";

/**
 * The admin API under {adminUrl}: what a person does in the developer portal, the Xero email links
 * and the browser, plus the clock, faults and the request log. JSON in and out; errors are
 * `{"error","message"}` with 400 or 404.
 */
export const ADMIN_PREFIX = "/admin";

/** Custom Connections are sold only to organisations in these countries (xero-platform.md). */
export const CUSTOM_CONNECTION_COUNTRIES: ReadonlySet<string> = new Set(["AU", "NZ", "GB", "US"]);

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function adminError(status: 400 | 404 | 405, message: string): HandlerResult {
  const error = status === 400 ? "invalid_request" : status === 404 ? "not_found" : "method_not_allowed";
  return jsonResponse(status, { error, message });
}

function withBody<T>(request: EmulatorRequest, parse: (body: Record<string, unknown>) => Parsed<T>, use: (input: T) => HandlerResult): HandlerResult {
  const json = parseJsonBody(request.body);
  if (!json.ok) return adminError(400, json.message);
  const parsed = parse(json.value);
  return parsed.ok ? use(parsed.value) : adminError(400, parsed.message);
}

function describeApp(app: App, ctx: EmulatorContext): Record<string, unknown> {
  const valid = new Set(ctx.state.validSecrets(app).map((s) => s.n));
  const link = ctx.state.connectionsFor(app.clientId, undefined)[0];
  return {
    clientId: app.clientId,
    kind: app.kind,
    name: app.name,
    scopes: app.scopes,
    redirectUris: app.redirectUris,
    // Numbers and dates only: a secret is shown once, when generated.
    secrets: app.secrets.filter((s) => !s.deleted).map((s) => ({ n: s.n, createdAt: s.createdAt.toISOString(), valid: valid.has(s.n) })),
    tier: app.tier ?? null,
    appStore: app.appStore,
    linkedTenantId: link?.tenantId ?? null,
    awaitingAuthorisation: app.awaitingAuthorisation ?? null,
    connections: ctx.state.allConnections(app.clientId).map((c) => ({ ...toXeroConnection(c, ctx.state), userId: c.userId ?? null })),
  };
}

/** Why `tenantId` cannot be a Custom Connection's organisation (404 or 400), or undefined when it can. */
function customConnectionOrgProblem(state: XeroState, tenantId: string): HandlerResult | undefined {
  const org = state.orgs.get(tenantId);
  if (org === undefined) return adminError(404, `no organisation with tenantId ${tenantId}: create it with POST /orgs`);
  if (!CUSTOM_CONNECTION_COUNTRIES.has(org.countryCode)) {
    return adminError(400, `organisation ${tenantId} is in ${org.countryCode}: Custom Connections are available only in AU, NZ, GB (UK) and US`);
  }
  return undefined;
}

export function handleAdmin(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  const segments = request.path.slice(ADMIN_PREFIX.length).split("/").filter((s) => s.length > 0).map(safeDecode);
  const route = `${request.method} /${segments.map((s, i) => (i === 1 && segments[0] !== "requests" && segments[0] !== "faults" ? "{id}" : i === 3 ? "{n}" : s)).join("/")}`;
  const { state } = ctx;
  const app = (): App | undefined => state.apps.get(segments[1] ?? "");
  const noApp = (): HandlerResult => adminError(404, `no app with clientId ${segments[1] ?? ""}: create it with POST /apps`);

  switch (route) {
    case "POST /apps":
      return withBody(request, (body) => parseAppInput(body, ctx.clock.now()), (input) => {
        const { app: created, clientSecret } = state.createApp({ ...input, tier: input.tier ?? ctx.options.defaultAppTier });
        return jsonResponse(201, { clientId: created.clientId, ...(clientSecret === undefined ? {} : { clientSecret }) });
      });
    case "GET /apps/{id}": {
      const found = app();
      return found === undefined ? noApp() : jsonResponse(200, describeApp(found, ctx));
    }
    case "DELETE /apps/{id}":
      return state.deleteApp(segments[1] ?? "") ? emptyResponse(204) : noApp();
    case "PATCH /apps/{id}": {
      const found = app();
      if (found === undefined) return noApp();
      return withBody(request, (body) => parseAppChanges(body, found), (changes) => {
        const problem = changes.tenantId === undefined ? undefined : customConnectionOrgProblem(state, changes.tenantId);
        if (problem !== undefined) return problem;
        state.updateApp(found, changes);
        return jsonResponse(200, describeApp(found, ctx));
      });
    }
    case "POST /apps/{id}/secrets": {
      const found = app();
      if (found === undefined) return noApp();
      if (found.kind === "pkce") return adminError(400, `app ${found.clientId} is a pkce app: the portal never issues it a secret`);
      const secret = state.addSecret(found);
      return jsonResponse(201, { clientSecret: secret.value, n: secret.n });
    }
    case "DELETE /apps/{id}/secrets/{n}": {
      const found = app();
      if (found === undefined) return noApp();
      const n = Number(segments[3]);
      if (!Number.isInteger(n) || !state.deleteSecret(found, n)) {
        return adminError(404, `app ${found.clientId} has no secret number ${segments[3] ?? ""} (numbers start at 1, in generation order)`);
      }
      return emptyResponse(204);
    }
    case "POST /apps/{id}/link": {
      const found = app();
      if (found === undefined) return noApp();
      return withBody(request, parseLinkInput, ({ tenantId, keepOtherLinks }) => {
        if (found.kind !== "custom_connection") return adminError(400, `app ${found.clientId} is a ${found.kind} app: only a custom_connection is linked`);
        const problem = customConnectionOrgProblem(state, tenantId);
        if (problem !== undefined) return problem;
        return jsonResponse(200, toXeroConnection(state.link(found, tenantId, { keepOtherLinks }), state));
      });
    }
    case "DELETE /apps/{id}/link": {
      const found = app();
      if (found === undefined) return noApp();
      return state.unlink(found) ? emptyResponse(204) : adminError(404, `app ${found.clientId} is not linked to an organisation nor awaiting authorisation`);
    }
    case "POST /orgs":
      return withBody(request, parseOrgInput, (input) => jsonResponse(201, { tenantId: state.createOrg(input).tenantId }));
    case "POST /users":
      return withBody(request, parseUserInput, (input) => jsonResponse(201, { userId: state.createUser(input).userId }));
    case "DELETE /users/{id}/apps/{n}": {
      // The user revokes the app in Xero (its list of connected apps): the grant ends as with revocation.
      const [, userId = "", , clientId = ""] = segments;
      if (!state.users.has(userId)) return adminError(404, `no user with userId ${userId}: create it with POST /users`);
      if (!state.apps.has(clientId)) return adminError(404, `no app with clientId ${clientId}: create it with POST /apps`);
      if (ctx.tokens.grantedScopes(clientId, userId).length === 0 && state.connectionsFor(clientId, userId).length === 0) {
        return adminError(404, `user ${userId} has granted app ${clientId} nothing: nothing to revoke`);
      }
      ctx.tokens.revokeGrant(clientId, userId);
      state.removeUserConnections(clientId, userId);
      return emptyResponse(204);
    }
    case "DELETE /orgs/{id}/apps/{n}": {
      // An organisation's adviser disconnects the app in Xero: that organisation's connections end, grants stay.
      const [, tenantId = "", , clientId = ""] = segments;
      if (!state.orgs.has(tenantId)) return adminError(404, `no organisation with tenantId ${tenantId}: create it with POST /orgs`);
      if (!state.apps.has(clientId)) return adminError(404, `no app with clientId ${clientId}: create it with POST /apps`);
      return state.disconnectOrganisation(clientId, tenantId) > 0
        ? emptyResponse(204)
        : adminError(404, `app ${clientId} is not connected to organisation ${tenantId}: nothing to disconnect`);
    }
    case "POST /consent":
      return withBody(request, parseConsentInput, (input) => {
        if (!state.users.has(input.userId)) return adminError(404, `no user with userId ${input.userId}: create it with POST /users`);
        const unknown = input.tenantIds.find((id) => !state.orgs.has(id));
        if (unknown !== undefined) return adminError(404, `no organisation with tenantId ${unknown}: create it with POST /orgs`);
        const consent = state.setConsent(input);
        return jsonResponse(200, { userId: consent.userId, tenantIds: consent.tenantIds });
      });
    case "GET /clock":
      return jsonResponse(200, { now: ctx.clock.now().toISOString() });
    case "POST /clock":
      return withBody(request, parseClockInput, ({ advanceSeconds }) => jsonResponse(200, { now: ctx.clock.advance(advanceSeconds).toISOString() }));
    case "POST /faults":
      return withBody(request, parseFaultInput, (input) => {
        ctx.faults.add(input);
        return jsonResponse(200, { pending: ctx.faults.pending() });
      });
    case "DELETE /faults":
      return jsonResponse(200, { cleared: ctx.faults.clear() });
    case "GET /faults":
      return jsonResponse(200, { pending: ctx.faults.pending(), held: ctx.faults.heldCount() });
    case "POST /faults/release":
      return jsonResponse(200, { released: ctx.faults.release() });
    case "GET /latency":
      return jsonResponse(200, { latencyMs: ctx.latency.ms, waiting: ctx.latency.waiting });
    case "POST /latency":
      return withBody(request, parseLatencyInput, ({ latencyMs }) => {
        ctx.latency.set(latencyMs);
        return jsonResponse(200, { latencyMs });
      });
    case "GET /requests":
      return jsonResponse(200, ctx.log.list());
    case "GET /requests/inflight":
      return jsonResponse(200, { inflight: ctx.log.inflight });
    case "DELETE /requests":
      ctx.log.clear();
      return emptyResponse(204);
    default:
      return adminError(404, `no admin endpoint ${request.method} ${request.path}; see emulator/README.md`);
  }
}
