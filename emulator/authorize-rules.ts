import { IDENTITY_SCOPES, isKnownScope, parseScopeParameter } from "./scopes";
import type { App, XeroState } from "./state";

/**
 * Validation of an authorize request, as a pure function. Xero shows an error page (and does not
 * redirect) for a bad client, redirect URI or scope; once the redirect URI is trusted, other
 * problems go back to it as `?error=…&state=…` (RFC 6749 4.1.2.1).
 */
export interface AuthorizeRequest {
  readonly app: App;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  /** How the verifier becomes the challenge; plain only with the `pkcePlainMethod` option. */
  readonly codeChallengeMethod: "S256" | "plain" | undefined;
  readonly nonce: string | undefined;
}

export type AuthorizeValidation =
  | { readonly kind: "ok"; readonly request: AuthorizeRequest }
  | { readonly kind: "error-page"; readonly error: string; readonly description: string }
  | { readonly kind: "redirect-error"; readonly redirectUri: string; readonly state: string | undefined; readonly error: string; readonly description: string };

/** The parameters an authorize request carries; the consent form posts them back unchanged. */
export const AUTHORIZE_PARAMETERS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
] as const;

const CHALLENGE_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

function single(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value.length === 0 ? undefined : value;
}

export function validateAuthorizeRequest(
  params: URLSearchParams,
  state: XeroState,
  rules: { readonly pkcePlainMethod: boolean } = { pkcePlainMethod: false },
): AuthorizeValidation {
  const page = (error: string, description: string): AuthorizeValidation => ({ kind: "error-page", error, description });
  const clientId = single(params, "client_id");
  if (clientId === undefined) return page("invalid_request", "client_id is missing");
  const app = state.apps.get(clientId);
  if (app === undefined) return page("unauthorized_client", `Unknown client or client not enabled: ${clientId}`);
  if (app.kind === "custom_connection") {
    return page("unauthorized_client", "A Custom Connection cannot use the authorization code flow; it uses client_credentials");
  }
  const redirectUri = single(params, "redirect_uri");
  if (redirectUri === undefined) return page("invalid_request", "redirect_uri is missing");
  // Exact match: scheme, host, case, path and trailing slash.
  if (!app.redirectUris.includes(redirectUri)) return page("invalid_request", `Invalid redirect_uri: ${redirectUri}`);
  const scopes = parseScopeParameter(params.get("scope"));
  if (scopes.length === 0) return page("invalid_scope", "scope is missing");
  const badScope = scopes.find((s) => !isKnownScope(s) || (!IDENTITY_SCOPES.has(s) && !app.scopes.includes(s)));
  if (badScope !== undefined) return page("invalid_scope", `Invalid scope for this client: ${badScope}`);

  const stateParam = single(params, "state");
  const back = (error: string, description: string): AuthorizeValidation => ({ kind: "redirect-error", redirectUri, state: stateParam, error, description });
  const responseType = single(params, "response_type");
  if (responseType !== "code") return back("unsupported_response_type", `response_type must be code, got ${responseType ?? "nothing"}`);
  const codeChallenge = single(params, "code_challenge");
  const method = single(params, "code_challenge_method");
  if (codeChallenge === undefined) {
    if (app.kind === "pkce") return back("invalid_request", "code challenge required");
    if (method !== undefined) return back("invalid_request", "code_challenge_method sent without code_challenge");
  } else {
    // Without a method OAuth means "plain": an OPEN item, refused unless `pkcePlainMethod`.
    const plainAllowed = rules.pkcePlainMethod && (method === undefined || method === "plain");
    if (method !== "S256" && !plainAllowed) {
      return back("invalid_request", "Transform algorithm not supported: code_challenge_method must be S256");
    }
    if (!CHALLENGE_PATTERN.test(codeChallenge)) return back("invalid_request", "Invalid code_challenge");
  }
  const codeChallengeMethod = codeChallenge === undefined ? undefined : method === "S256" ? "S256" : "plain";
  return {
    kind: "ok",
    request: { app, redirectUri, scopes, state: stateParam, codeChallenge, codeChallengeMethod, nonce: single(params, "nonce") },
  };
}

/** `redirectUri` with the given parameters appended, keeping any query it already has. */
export function redirectWith(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  return url.toString();
}
