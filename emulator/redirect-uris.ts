/**
 * The developer portal's redirect URI rules (xero-platform.md): absolute, https except
 * http://localhost on any port, no wildcards, no custom schemes, at most 50 per app.
 * Returns a message naming the bad entry, or undefined when all are acceptable.
 */
export const MAX_REDIRECT_URIS = 50;

export function findRedirectUriProblem(uris: readonly string[], field = "redirectUris"): string | undefined {
  if (uris.length > MAX_REDIRECT_URIS) {
    return `${field} may hold at most ${MAX_REDIRECT_URIS} URIs, got ${uris.length}`;
  }
  for (const [index, uri] of uris.entries()) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) return `${field}[${index}] ${problem}, got ${uri}`;
  }
  return undefined;
}

function redirectUriProblem(uri: string): string | undefined {
  if (uri.includes("*")) return "must not contain wildcards";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol === "https:") return url.hostname === "" ? "must name a host" : undefined;
  if (url.protocol === "http:") return url.hostname === "localhost" ? undefined : "must use https (or http://localhost)";
  return "must use https (or http://localhost); custom schemes are not allowed";
}
