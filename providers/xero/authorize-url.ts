import { ConfigError } from "../errors";
import { xeroUrls, type XeroEndpoints } from "./endpoints";

/** What goes into Xero's authorize URL. */
export interface AuthorizeUrlParams {
  readonly clientId: string;
  /** Must equal one of the app's registered redirect URIs exactly (scheme, case, trailing slash). */
  readonly redirectUri: string;
  /** E.g. `["openid", "profile", "email", "offline_access", "accounting.invoices"]`. */
  readonly scopes: readonly string[];
  /** Unguessable value echoed back on the redirect; see `createState()`. */
  readonly state: string;
  /** S256 challenge for PKCE apps (and optionally Web apps); see `createPkcePair()`. */
  readonly codeChallenge?: string;
  /** OpenID Connect `nonce`, echoed in the id token (with the `openid` scope); see `createNonce()`. */
  readonly nonce?: string;
}

/**
 * The URL to send a user to for consent:
 * `${loginUrl}/identity/connect/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…`
 * (+ `nonce`, and `code_challenge` and `code_challenge_method=S256` with PKCE).
 * Spaces in `scope` are encoded as `%20`, which every form decoder reads as a space.
 * @see https://developer.xero.com/documentation/guides/oauth2/auth-flow
 */
export function buildAuthorizeUrl(endpoints: XeroEndpoints, params: AuthorizeUrlParams): string {
  if (params.scopes.length === 0) throw new ConfigError("scopes must name at least one scope, got none");
  params.scopes.forEach((scope, index) => {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
      throw new ConfigError(`scopes[${index}] must be one scope name without spaces or quotes, got "${scope}"`);
    }
  });
  if (params.state === "") throw new ConfigError("state must not be empty; use createState()");
  const query: Array<[string, string]> = [
    ["response_type", "code"],
    ["client_id", params.clientId],
    ["redirect_uri", params.redirectUri],
    ["scope", params.scopes.join(" ")],
    ["state", params.state],
  ];
  if (params.nonce !== undefined) {
    if (params.nonce === "") throw new ConfigError("nonce must not be empty when given; use createNonce()");
    query.push(["nonce", params.nonce]);
  }
  if (params.codeChallenge !== undefined) {
    query.push(["code_challenge", params.codeChallenge], ["code_challenge_method", "S256"]);
  }
  const encoded = query.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
  return `${xeroUrls(endpoints).authorize}?${encoded}`;
}
