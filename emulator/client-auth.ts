import type { App, XeroState } from "./state";

/**
 * Token-endpoint client authentication as Xero (IdentityServer) does it: HTTP Basic
 * `base64(client_id:client_secret)` or `client_id`/`client_secret` in the body, both accepted;
 * Basic wins when both are sent. PKCE apps are public clients: `client_id` alone.
 */
export type ClientAuthentication =
  | { readonly ok: true; readonly app: App; readonly method: "client_secret_basic" | "client_secret_post" | "none" }
  | { readonly ok: false; readonly reason: string };

interface PresentedCredentials {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly method: "client_secret_basic" | "client_secret_post";
}

function decodeFormComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

/** Reads the Basic header (RFC 6749 2.3.1: each part form-url-encoded) or the body fields. */
export function presentedCredentials(authorization: string | undefined, form: URLSearchParams): PresentedCredentials | string {
  if (authorization !== undefined && /^basic\s/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, "").trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return "Basic credentials have no ':' between client_id and client_secret";
    return {
      clientId: decodeFormComponent(decoded.slice(0, colon)),
      clientSecret: decodeFormComponent(decoded.slice(colon + 1)),
      method: "client_secret_basic",
    };
  }
  const clientId = form.get("client_id");
  if (clientId === null || clientId.length === 0) return "no client_id in the Authorization header or the body";
  return { clientId, clientSecret: form.get("client_secret") ?? undefined, method: "client_secret_post" };
}

export function authenticateClient(authorization: string | undefined, form: URLSearchParams, state: XeroState): ClientAuthentication {
  const presented = presentedCredentials(authorization, form);
  if (typeof presented === "string") return { ok: false, reason: presented };
  const app = state.apps.get(presented.clientId);
  if (app === undefined) return { ok: false, reason: "unknown client_id" };
  // A PKCE app has no secret; IdentityServer skips secret validation for public clients.
  if (app.kind === "pkce") return { ok: true, app, method: "none" };
  if (presented.clientSecret === undefined || presented.clientSecret.length === 0) {
    return { ok: false, reason: "client_secret missing for a confidential client" };
  }
  if (!state.isValidSecret(app, presented.clientSecret)) return { ok: false, reason: "client_secret does not match a valid secret" };
  return { ok: true, app, method: presented.method };
}
