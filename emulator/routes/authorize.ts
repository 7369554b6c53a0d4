import { redirectWith, validateAuthorizeRequest, type AuthorizeRequest } from "../authorize-rules";
import type { EmulatorContext, HandlerResult } from "../context";
import { htmlResponse, isFormEncoded, methodNotAllowed, redirectResponse, type EmulatorRequest } from "../http";
import { IDENTITY_SCOPES } from "../scopes";
import type { AuthSession } from "../token-store";
import { connectionLimitProblem } from "../tiers";
import { connectionLimitPage, consentPage, errorPage, signInPage } from "./authorize-pages";

/**
 * GET {loginUrl}/identity/connect/authorize and the consent form's POST
 * {loginUrl}/identity/connect/consent. With autoConsent the authorize request is approved at once
 * for the user and organisations of the last `POST /admin/consent`.
 */
export const AUTHORIZE_PATH = "/login/identity/connect/authorize";
export const CONSENT_PATH = "/login/identity/connect/consent";
/** Xero's own page for an app at its connection limit (authorize.xero.com/connectionLimit on Xero). */
export const CONNECTION_LIMIT_PATH = "/login/connectionLimit";
/** Where a browser nobody is signed into is sent (Xero's URL is OPEN; IdentityServer's layout). */
export const SIGN_IN_PATH = "/login/identity/user/login";
/** IdentityServer's error page, for the `authorizeErrorResponse: "redirect"` option. */
export const ERROR_PATH = "/login/identity/error";

function showError(error: string, description: string): HandlerResult {
  return { ...htmlResponse(400, errorPage(error, description)), note: `${error}: ${description}` };
}

/**
 * A refusal before anyone signs in: the error page at the authorize URL, or (option "redirect")
 * IdentityServer's redirect to its error page. The errorId is opaque to clients; here it carries
 * the error itself, so the emulator keeps no state for it.
 */
function refuseBeforeSignIn(ctx: EmulatorContext, error: string, description: string): HandlerResult {
  if (ctx.options.authorizeErrorResponse === "page") return showError(error, description);
  const errorId = Buffer.from(JSON.stringify({ error, description }), "utf8").toString("base64url");
  return { ...redirectResponse(`${ctx.urls.loginUrl}/identity/error?errorId=${errorId}`), note: `${error}: ${description}` };
}

/** Validation failures: an error page for a bad client/redirect URI/scope, else a redirect back. */
function refuse(ctx: EmulatorContext, validation: Exclude<ReturnType<typeof validateAuthorizeRequest>, { kind: "ok" }>): HandlerResult {
  if (validation.kind === "error-page") return refuseBeforeSignIn(ctx, validation.error, validation.description);
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
  if (validation.kind !== "ok") return refuse(ctx, validation);
  const consent = ctx.state.consent;
  if (consent === undefined) {
    // Nobody is signed in to the emulator's browser: like Xero (IdentityServer), a valid request
    // goes to the sign-in page, carrying itself as the ReturnUrl to resume after sign-in.
    const returnUrl = `${new URL(ctx.urls.loginUrl).pathname}/identity/connect/authorize?${request.query.toString()}`;
    return { ...redirectResponse(`${ctx.urls.loginUrl}/identity/user/login?ReturnUrl=${encodeURIComponent(returnUrl)}`), note: "login_required: nobody is signed in" };
  }
  if (ctx.options.autoConsent) return approve(ctx, validation.request, consent.userId, consent.tenantIds);
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

/** GET {loginUrl}/identity/user/login?ReturnUrl=…: the sign-in page (the emulator signs in with POST /admin/consent). */
export function handleSignIn(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  return htmlResponse(200, signInPage(request.query.get("ReturnUrl") ?? "", `${ctx.urls.adminUrl}/consent`));
}

/** GET {loginUrl}/identity/error?errorId=…: the error page the "redirect" option sends the browser to. */
export function handleErrorPage(request: EmulatorRequest, _ctx: EmulatorContext): HandlerResult {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  let shown = { error: "invalid_request", description: "Unknown errorId" };
  try {
    const decoded: unknown = JSON.parse(Buffer.from(request.query.get("errorId") ?? "", "base64url").toString("utf8"));
    if (decoded !== null && typeof decoded === "object" && typeof (decoded as { error?: unknown }).error === "string") {
      shown = { error: String((decoded as { error: string }).error), description: String((decoded as { description?: unknown }).description ?? "") };
    }
  } catch {
    // An errorId that is not ours shows the generic page.
  }
  return htmlResponse(200, errorPage(shown.error, shown.description));
}

/** The consent form's answer; every authorize parameter is validated again, never trusted. */
export function handleConsent(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  if (!isFormEncoded(request)) return showError("invalid_request", "the consent form must be posted as application/x-www-form-urlencoded");
  const form = new URLSearchParams(request.body);
  const validation = validateAuthorizeRequest(form, ctx.state, ctx.options);
  if (validation.kind !== "ok") return refuse(ctx, validation);
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
