import type { RawResponse } from "./http";

/**
 * Reading Xero's answer to an authorize request sent with no user (no cookies, redirects not
 * followed). Xero validates the client, the redirect URI and the scopes before it asks who is
 * there: a valid request goes on to the sign-in page, an invalid one gets the error page, never a
 * redirect to the client's redirect URI (xero-platform.md, "authorize"). The sign-in and error
 * URLs are OPEN, so nothing here knows them: the error page is told apart from the sign-in page by
 * a control request that must fail (a redirect URI no app can have), compared by where it goes.
 * Pure functions; the client sends the requests.
 */

/** What one authorize answer says about the request. */
export type AuthorizeVerdict =
  | { readonly kind: "accepted" }
  | { readonly kind: "refused"; readonly error: string | undefined; readonly description: string | undefined; readonly answer: string }
  /** A redirect elsewhere that only a control request can place: the sign-in page, or the error page by redirect. */
  | { readonly kind: "needs-control"; readonly location: string };

/** OAuth error codes an error page may name; used only to enrich messages, never to decide. */
const OAUTH_ERRORS = ["invalid_request", "invalid_scope", "unauthorized_client", "invalid_client", "access_denied", "unsupported_response_type"];

/** `https://host/path` of a URL, resolved against `base`; undefined when it is not a URL. */
export function urlWithoutQueryOf(location: string, base: string): string | undefined {
  try {
    const url = new URL(location, base);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * The verdict on one authorize answer for a request to `redirectUri`, sent to `authorizeUrl`.
 * - a redirect to the redirect URI itself: the request got past validation (`code`), or it was
 *   refused after the redirect URI was trusted (`error`);
 * - any other redirect: needs the control to tell the sign-in page from an error redirect;
 * - no redirect: the error page (a valid request from nobody is always redirected).
 */
export function readAuthorizeAnswer(response: RawResponse, authorizeUrl: string, redirectUri: string): AuthorizeVerdict {
  const location = response.headers["location"];
  if (response.status >= 300 && response.status < 400 && location !== undefined && location !== "") {
    const target = urlWithoutQueryOf(location, authorizeUrl);
    if (target !== undefined && target === urlWithoutQueryOf(redirectUri, authorizeUrl)) {
      const params = new URL(location, authorizeUrl).searchParams;
      const error = params.get("error");
      if (error === null) return { kind: "accepted" };
      return { kind: "refused", error, description: params.get("error_description") ?? undefined, answer: `a redirect to the redirect URI with error=${error}` };
    }
    return { kind: "needs-control", location: target ?? location };
  }
  const named = OAUTH_ERRORS.find((code) => response.bodyText.includes(code));
  return { kind: "refused", error: named, description: undefined, answer: `its error page (HTTP ${response.status})` };
}

/**
 * A redirect elsewhere, judged against the control request's answer: where the control (which must
 * fail) went is the error page; anywhere else is the sign-in page.
 */
export function judgeAgainstControl(location: string, control: RawResponse, authorizeUrl: string): AuthorizeVerdict {
  const controlLocation = control.headers["location"];
  const isRedirect = control.status >= 300 && control.status < 400 && controlLocation !== undefined && controlLocation !== "";
  if (isRedirect && urlWithoutQueryOf(controlLocation, authorizeUrl) === location) {
    return { kind: "refused", error: undefined, description: undefined, answer: `a redirect to its error page (${location})` };
  }
  return { kind: "accepted" };
}
