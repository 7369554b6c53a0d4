import type { HttpRequest } from "./http";

/**
 * How the client proves who it is at the token and revocation endpoints:
 * - `client_secret_basic`: `Authorization: Basic base64(client_id:client_secret)` (the default);
 * - `client_secret_post`: `client_id` and `client_secret` in the form body;
 * - `none`: `client_id` in the body and no secret (PKCE apps, which have none).
 */
export type ClientAuth =
  | { readonly method: "client_secret_basic" | "client_secret_post"; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: "none"; readonly clientId: string };

export type ClientAuthMethod = ClientAuth["method"];

const USER_AGENT = "cdktf-xero";

/**
 * A form POST to the token or revocation endpoint with client authentication. Pure.
 * Basic credentials are `base64(client_id:client_secret)` exactly as Xero documents and its SDKs
 * send them (no form-encoding of the parts first; Xero ids and secrets use URL-safe characters).
 */
export function formPostRequest(
  url: string,
  auth: ClientAuth,
  params: ReadonlyArray<readonly [string, string]>,
  timeoutMs: number,
): HttpRequest {
  const form = new URLSearchParams();
  for (const [key, value] of params) form.append(key, value);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    "user-agent": USER_AGENT,
  };
  if (auth.method === "client_secret_basic") {
    headers["authorization"] = `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`, "utf8").toString("base64")}`;
  } else {
    form.append("client_id", auth.clientId);
    if (auth.method === "client_secret_post") form.append("client_secret", auth.clientSecret);
  }
  return { method: "POST", url, headers, body: form.toString(), timeoutMs };
}

/** A GET or DELETE to the API with a bearer token. Pure. */
export function bearerRequest(method: "GET" | "DELETE", url: string, accessToken: string, timeoutMs: number): HttpRequest {
  return {
    method,
    url,
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", "user-agent": USER_AGENT },
    timeoutMs,
  };
}

/** A plain GET (discovery, JWKS). Pure. */
export function getRequest(url: string, timeoutMs: number): HttpRequest {
  return { method: "GET", url, headers: { accept: "application/json", "user-agent": USER_AGENT }, timeoutMs };
}
