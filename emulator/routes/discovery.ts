import type { EmulatorContext, HandlerResult } from "../context";
import { jsonResponse, methodNotAllowed, type EmulatorRequest } from "../http";
import { API_SCOPES, IDENTITY_SCOPES } from "../scopes";

/**
 * GET {identityUrl}/.well-known/openid-configuration and its JWKS. The document names the
 * emulator's own URLs, so a standard OIDC client works from discovery alone; `issuer` is the
 * emulator's issuer (its identityUrl unless set to https://identity.xero.com).
 */
export const DISCOVERY_PATH = "/identity/.well-known/openid-configuration";
export const JWKS_PATH = "/identity/.well-known/openid-configuration/jwks";

export function discoveryDocument(ctx: EmulatorContext): Record<string, unknown> {
  const { urls } = ctx;
  return {
    issuer: ctx.issuer,
    jwks_uri: `${urls.identityUrl}/.well-known/openid-configuration/jwks`,
    authorization_endpoint: `${urls.loginUrl}/identity/connect/authorize`,
    token_endpoint: `${urls.identityUrl}/connect/token`,
    revocation_endpoint: `${urls.identityUrl}/connect/revocation`,
    scopes_supported: [...IDENTITY_SCOPES, ...API_SCOPES],
    claims_supported: [
      "sub",
      "auth_time",
      "idp",
      "xero_userid",
      "global_session_id",
      "authentication_event_id",
      "email",
      "preferred_username",
      "given_name",
      "family_name",
    ],
    grant_types_supported: ["authorization_code", "client_credentials", "refresh_token"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    // Xero's document also lists "plain", an OPEN item: offered only when the emulator takes it (pkcePlainMethod).
    code_challenge_methods_supported: ctx.options.pkcePlainMethod ? ["S256", "plain"] : ["S256"],
    request_parameter_supported: false,
  };
}

export function handleDiscovery(request: EmulatorRequest, ctx: EmulatorContext): HandlerResult {
  if (request.method !== "GET") return methodNotAllowed(["GET"]);
  const cache = { "cache-control": "max-age=3600, public" };
  if (request.path === JWKS_PATH) return jsonResponse(200, ctx.signer.jwks(), cache);
  return jsonResponse(200, discoveryDocument(ctx), cache);
}
