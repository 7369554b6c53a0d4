import { redirectWith, validateAuthorizeRequest, type AuthorizeRequest } from "../authorize-rules";
import type { EmulatorContext, HandlerResult } from "../context";
import { htmlResponse, isFormEncoded, methodNotAllowed, redirectResponse, type EmulatorRequest } from "../http";
import { IDENTITY_SCOPES } from "../scopes";
import type { AuthSession } from "../token-store";
import { connectionLimitProblem } from "../tiers";
import { connectionLimitPage, consentPage, errorPage } from "./authorize-pages";

/**
 * GET {loginUrl}/identity/connect/authorize and the consent form's POST
 * {loginUrl}/identity/connect/consent. With autoConsent the authorize request is approved at once
 * for the user and organisations of the last `POST /admin/consent`.
 */
export const AUTHORIZE_PATH = "/login/identity/connect/authorize";
export const CONSENT_PATH = "/login/identity/connect/consent";
/** Xero's own page for an app at its connection limit (authorize.xero.com/connectionLimit on Xero). */
export const CONNECTION_LIMIT_PATH = "/login/connectionLimit";

function showError(error: string, description: string): HandlerResult {
  return { ...htmlResponse(400, errorPage(error, description)), note: `${error}: ${description}` };
}

/** Validation failures: an error page for a bad client/redirect URI/scope, else a redirect back. */
function refuse(validation: Exclude<ReturnType<typeof validateAuthorizeRequest>, { kind: "ok" }>): HandlerResult {
  if (validation.kind === "error-page") return showError(validation.error, validation.description);
  return {
    ...redirectResponse(redirectWith(validation.redirectUri, { error: validation.error, error_description: validation.description, state: validation.state })),
    note: `${validation.error}: ${validation.description}`,
  };
}

/**
 * The user allows access: scopes add to what they granted before, the ticked organisations are
 * connected (when API scopes were asked for), and a single-use code goes back to the client.
 */
function approve(ctx: EmulatorContext, request: AuthorizeRequest, userId: string, tenantIds: readonly string[]): HandlerResult {
  const { app } = request;
  const connects = [...ctx.tokens.grantedScopes(app.clientId, userId), ...request.scopes].some((s) => !IDENTITY_SCOPES.has(s));
  const overLimit =
    connects && app.tier !== undefined
      ? connectionLimitProblem({ tier: app.tier, connectedTenantIds: ctx.state.connectedTenantIds(app.clientId), requestedTenantIds: tenantIds })
      : undefined;
  if (overLimit !== undefined) {
    // Xero keeps the browser on its own page: nothing is granted and the client's redirect URI never hears of it.
    const page = new URL(`${ctx.urls.loginUrl}/connectionLimit`);
    page.searchParams.set("client_id", app.clientId);
    return { ...redirectResponse(page.toString()), note: overLimit };
  }
  const consent = ctx.state.consent;
  const sameSession = consent !== undefined && consent.userId === userId;
  const session: AuthSession = {
    userId,
    authTime: ctx.clock.now(),
    authEventId: ctx.random.uuid(),
    globalSessionId: sameSession ? consent.globalSessionId : ctx.random.uuid(),
    sid: sameSession ? consent.sid : ctx.random.bytes(16).toString("hex").toUpperCase(),
  };
  const scopes = ctx.tokens.grantScopes(request.app.clientId, userId, request.scopes);
  if (scopes.some((s) => !IDENTITY_SCOPES.has(s))) {
    ctx.state.connectUser(request.app.clientId, userId, tenantIds, session.authEventId);
  }
  const code = ctx.tokens.issueCode({
    clientId: request.app.clientId,
    redirectUri: request.redirectUri,
    scopes,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
    session,
  });
  return redirectResponse(
    redirectWith(request.redirectUri, {
      code: code.code,
      scope: scopes.join(" "),
      state: request.state,
      ...(scopes.includes("openid") ? { session_state: ctx.random.bytes(16).toString("hex") } : {}),
    }),
  );
}

export function handleAuthorize(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  const validation = validateAuthorizeRequest(request.query, ctx.state, ctx.options);
  if (validation.kind !== "ok") return refuse(validation);
  const consent = ctx.state.consent;
  if (ctx.options.autoConsent) {
    if (consent === undefined) {
      return showError("login_required", `No user is signed in to the emulator: POST ${ctx.urls.adminUrl}/consent first`);
    }
    return approve(ctx, validation.request, consent.userId, consent.tenantIds);
  }
  return htmlResponse(
    200,
    consentPage({
      app: validation.request.app,
      params: request.query,
      scopes: validation.request.scopes,
      users: [...ctx.state.users.values()],
      orgs: [...ctx.state.orgs.values()],
      signedInUserId: consent?.userId,
      tickedTenantIds: consent?.tenantIds ?? [],
      consentUrl: `${ctx.urls.loginUrl}/identity/connect/consent`,
    }),
  );
}

/** GET {loginUrl}/connectionLimit?client_id=…: the page the browser lands on when an app is at its limit. */
export function handleConnectionLimit(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  const app = ctx.state.apps.get(request.query.get("client_id") ?? "");
  return htmlResponse(200, connectionLimitPage(app?.name));
}

/** The consent form's answer; every authorize parameter is validated again, never trusted. */
export function handleConsent(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  if (!isFormEncoded(request)) return showError("invalid_request", "the consent form must be posted as application/x-www-form-urlencoded");
  const form = new URLSearchParams(request.body);
  const validation = validateAuthorizeRequest(form, ctx.state, ctx.options);
  if (validation.kind !== "ok") return refuse(validation);
  const { redirectUri, state } = validation.request;
  if (form.get("decision") !== "allow") {
    return redirectResponse(redirectWith(redirectUri, { error: "access_denied", state }));
  }
  const userId = form.get("user_id") ?? "";
  if (!ctx.state.users.has(userId)) return showError("invalid_request", `No user ${userId || "(none)"}: create one with POST ${ctx.urls.adminUrl}/users`);
  const tenantIds = form.getAll("tenant_id");
  const unknown = tenantIds.find((id) => !ctx.state.orgs.has(id));
  if (unknown !== undefined) return showError("invalid_request", `No organisation ${unknown}`);
  return approve(ctx, validation.request, userId, tenantIds);
}
