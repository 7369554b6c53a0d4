import { timingSafeEqual } from "node:crypto";
import { XeroAuthorizeRedirectError, XeroNoLoopbackRedirectUriError, XeroRedirectUrlError, XeroStateMismatchError } from "./consent-errors";

/** Pure decisions of the consent flow: which redirect URI, which scopes, what a redirect means. */

/** The port the flow suggests when an app has no loopback redirect URI and none was asked for. */
export const DEFAULT_CONSENT_PORT = 8765;
/** The path the flow suggests for a loopback redirect URI. */
export const DEFAULT_CONSENT_PATH = "/callback";

/** Identity scopes every consent asks for: the id token then says who consented (email and names). */
export const CONSENT_IDENTITY_SCOPES: readonly string[] = ["openid", "profile", "email"];

/** A registered redirect URI the flow can listen on itself: `http://localhost[:port]/path`. */
export interface LoopbackRedirectUri {
  /** Exactly as registered (Xero matches redirect URIs exactly). */
  readonly uri: string;
  readonly port: number;
  readonly path: string;
}

/** Parses a registered redirect URI as a loopback one, or undefined when it is not. Pure. */
export function asLoopbackRedirectUri(uri: string): LoopbackRedirectUri | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  // Xero allows plain http only to localhost; a query or fragment cannot be matched by a listener.
  if (url.protocol !== "http:" || url.hostname !== "localhost" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") return undefined;
  return { uri, port: url.port === "" ? 80 : Number(url.port), path: url.pathname };
}

/**
 * The app's loopback redirect URI to listen on: the first one, or the one on `port` when given.
 * Throws {@link XeroNoLoopbackRedirectUriError} naming the exact URI to register. Pure.
 */
export function chooseLoopbackRedirectUri(input: { clientId: string; redirectUris: readonly string[]; port?: number }): LoopbackRedirectUri {
  const loopback = input.redirectUris.map(asLoopbackRedirectUri).filter((u): u is LoopbackRedirectUri => u !== undefined);
  const chosen = input.port === undefined ? loopback[0] : loopback.find((u) => u.port === input.port);
  if (chosen !== undefined) return chosen;
  const toAdd = `http://localhost:${input.port ?? DEFAULT_CONSENT_PORT}${DEFAULT_CONSENT_PATH}`;
  const has = input.redirectUris.length === 0 ? "no redirect URIs" : `only ${input.redirectUris.join(", ")}`;
  const which = input.port === undefined ? "no loopback redirect URI" : `no loopback redirect URI on port ${input.port}`;
  throw new XeroNoLoopbackRedirectUriError(
    `App ${input.clientId} has ${which} (it has ${has}), so the consent cannot come back to this machine. ` +
      `Add ${toAdd} to the app's redirect URIs in the Xero developer portal (https://developer.xero.com/app/manage) ` +
      `and to redirectUris in its registration, then deploy and run the consent again` +
      (input.port === undefined ? `; or use --manual to paste the URL you are redirected to.` : `, or pass the port of a loopback redirect URI it has.`),
    { redirectUriToAdd: toAdd },
    { context: { clientId: input.clientId, port: input.port } },
  );
}

/** The redirect URI for manual mode: a loopback one on `port`, else the first loopback, else the first registered. */
export function chooseManualRedirectUri(input: { clientId: string; redirectUris: readonly string[]; port?: number }): string {
  if (input.port !== undefined) return chooseLoopbackRedirectUri(input).uri;
  const first = input.redirectUris.map(asLoopbackRedirectUri).find((u) => u !== undefined)?.uri ?? input.redirectUris[0];
  return first ?? chooseLoopbackRedirectUri(input).uri;
}

/** The scopes to ask for: the identity scopes first, then the caller's, without duplicates. Pure. */
export function consentScopes(scopes: readonly string[]): string[] {
  return [...new Set([...CONSENT_IDENTITY_SCOPES, ...scopes])];
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `url` is `redirectUri` plus a query: same scheme, host, port and path. */
export function isRedirectTo(url: URL, redirectUri: string): boolean {
  const expected = new URL(redirectUri);
  return url.protocol === expected.protocol && url.host === expected.host && url.pathname === expected.pathname;
}

/** Parses a pasted redirect URL, or throws {@link XeroRedirectUrlError} (never echoing it: it holds the code). */
export function parsePastedRedirect(text: string, redirectUri: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new XeroRedirectUrlError(
      `What was pasted is not a URL. Paste the whole address your browser shows after you allow access; it starts with ${redirectUri}?`,
    );
  }
  if (!isRedirectTo(url, redirectUri)) {
    throw new XeroRedirectUrlError(
      `The pasted URL goes to ${url.origin}${url.pathname}, not to ${redirectUri}. Paste the address your browser shows after you allow access; it starts with ${redirectUri}?`,
    );
  }
  return url;
}

/**
 * What the authorize redirect says: the code, or the typed error. The state is checked first, so a
 * forged error cannot pass for the person's answer. Pure.
 */
export function readAuthorizeRedirect(url: URL, expected: { state: string }): { code: string } {
  const state = url.searchParams.get("state");
  if (state === null || !sameText(state, expected.state)) {
    throw new XeroStateMismatchError(
      `The redirect's state ${state === null ? "is missing" : "does not match the one this consent sent"}: it answers another sign-in ` +
        `(an older browser tab or URL) or was forged. Nothing was exchanged: run the consent again and use only the URL it prints.`,
    );
  }
  const error = url.searchParams.get("error");
  if (error !== null) {
    const description = url.searchParams.get("error_description") ?? undefined;
    const said = `${error}${description === undefined ? "" : `: ${description}`}`;
    const message =
      error === "access_denied"
        ? `Consent was declined in Xero (${said}): nothing was connected. Run the consent again and choose "Allow access".`
        : `Xero's authorize endpoint refused the consent (${said}). Check the app's scopes and redirect URIs in the Xero developer portal, then run the consent again.`;
    throw new XeroAuthorizeRedirectError(message, { error, ...(description === undefined ? {} : { error_description: description }) });
  }
  const code = url.searchParams.get("code");
  if (code === null || code === "") {
    throw new XeroRedirectUrlError("The redirect carries neither a code nor an error: it is not Xero's answer to this consent. Run the consent again.");
  }
  return { code };
}
