import { randomBytes as nodeRandomBytes } from "node:crypto";
import { XeroClient, type XeroClientOptions } from "./client";
import { XeroConsentTimeoutError } from "./consent-errors";
import { chooseLoopbackRedirectUri, chooseManualRedirectUri, consentScopes, parsePastedRedirect, readAuthorizeRedirect } from "./consent-redirect";
import { XeroProtocolError } from "./errors";
import type { XeroIdTokenClaims } from "./id-token";
import { listenForRedirect } from "./loopback-listener";
import type { XeroConnection } from "./parse-api";
import type { XeroTokenSet } from "./parse-token";
import { createNonce, createPkcePair, createState, type RandomBytes } from "./pkce";

/**
 * One consent, start to finish: the authorization-code flow with PKCE (S256, always, Web apps
 * too), `state` and `nonce` checked, the id token verified against the issuer's JWKS, and the
 * tenants the new token set may use. The token set it returns is the only copy: store it at once.
 */

/** The app as registered: Web apps have a secret, PKCE apps none. */
export interface ConsentApp {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The app's registered redirect URIs; the flow listens on a `http://localhost:PORT/path` one. */
  readonly redirectUris: readonly string[];
}

export interface ConsentFlowOptions {
  readonly app: ConsentApp;
  /** The API scopes (and `offline_access` for a refresh token); `openid profile email` are always added. */
  readonly scopes: readonly string[];
  /**
   * `loopback`: listen on the app's loopback redirect URI for the browser's redirect.
   * `manual`: the person consents in any browser and pastes the URL they were redirected to.
   * @default "loopback"
   */
  readonly mode?: "loopback" | "manual";
  /** Use the loopback redirect URI on this port. @default the first loopback redirect URI */
  readonly port?: number;
  /**
   * Opens the URL in a browser; resolves false (or rejects) when it cannot. The URL is printed
   * either way. Manual mode never opens one. @default none (the person opens the printed URL)
   */
  readonly openBrowser?: (url: string) => Promise<boolean>;
  /** Where the URL and instructions go (a line at a time; never a secret). */
  readonly output: (line: string) => void;
  /** Manual mode: reads the URL the person pastes. */
  readonly input?: () => Promise<string>;
  /** How long to wait for the browser's redirect. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** Ends the wait early (e.g. Ctrl-C): the flow rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Endpoints, clock, HTTP and logging of the Xero client. @default real Xero */
  readonly client?: Omit<XeroClientOptions, "clientId" | "clientSecret">;
  /** @default crypto.randomBytes */
  readonly randomBytes?: RandomBytes;
}

export interface ConsentResult {
  /** The new token set (secrets: store it in exactly one place, never log it). */
  readonly tokens: XeroTokenSet;
  /** Who consented, from the verified id token. */
  readonly identity: XeroIdTokenClaims;
  /** GET /connections with the new access token: every tenant it may use. */
  readonly tenants: readonly XeroConnection[];
  /** The redirect URI the consent used. */
  readonly redirectUri: string;
}

/** What one attempt sends and must see again; the verifier and nonce never leave this process. */
interface ConsentRequest {
  readonly redirectUri: string;
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

function prepare(client: XeroClient, redirectUri: string, scopes: readonly string[], randomBytes: RandomBytes): ConsentRequest {
  const pkce = createPkcePair(randomBytes);
  const state = createState(randomBytes);
  const nonce = createNonce(randomBytes);
  const url = client.authorizeUrl({ redirectUri, scopes: consentScopes(scopes), state, nonce, codeChallenge: pkce.codeChallenge });
  return { redirectUri, url, state, nonce, codeVerifier: pkce.codeVerifier };
}

/**
 * Runs the consent and resolves with the verified result. Rejects with a typed error:
 * {@link XeroNoLoopbackRedirectUriError}, {@link XeroLoopbackListenError}, {@link XeroStateMismatchError},
 * {@link XeroAuthorizeRedirectError} (e.g. `access_denied`), {@link XeroRedirectUrlError},
 * {@link XeroConsentTimeoutError}, the client's token errors, or {@link XeroTokenVerificationError}.
 *
 * @example
 * const result = await runConsentFlow({
 *   app: { clientId, clientSecret, redirectUris: ["http://localhost:8765/callback"] },
 *   scopes: ["offline_access", "accounting.invoices"],
 *   openBrowser: async (url) => { await open(url); return true; },
 *   output: (line) => process.stderr.write(`${line}\n`),
 * });
 */
export async function runConsentFlow(options: ConsentFlowOptions): Promise<ConsentResult> {
  const { app } = options;
  const client = new XeroClient({
    ...options.client,
    clientId: app.clientId,
    ...(app.clientSecret === undefined ? {} : { clientSecret: app.clientSecret }),
  });
  const randomBytes = options.randomBytes ?? nodeRandomBytes;
  const redirect = options.mode === "manual" ? await manualRedirect(client, options, randomBytes) : await loopbackRedirect(client, options, randomBytes);
  return finish(client, redirect.request, redirect.url);
}

async function loopbackRedirect(client: XeroClient, options: ConsentFlowOptions, randomBytes: RandomBytes): Promise<{ request: ConsentRequest; url: URL }> {
  const target = chooseLoopbackRedirectUri({ clientId: options.app.clientId, redirectUris: options.app.redirectUris, ...(options.port === undefined ? {} : { port: options.port }) });
  const request = prepare(client, target.uri, options.scopes, randomBytes);
  const listener = await listenForRedirect(target);
  try {
    options.output(`Open this URL in a browser to connect Xero app ${options.app.clientId}:`);
    options.output(request.url);
    options.output(`Waiting for Xero to redirect to ${target.uri} …`);
    if (options.openBrowser !== undefined) {
      // Not awaited before waiting: a browser opener may only return once the page is done.
      options.openBrowser(request.url).then(
        (opened) => {
          if (!opened) options.output("Could not open a browser: open the URL above yourself.");
        },
        () => options.output("Could not open a browser: open the URL above yourself."),
      );
    }
    const url = await untilRedirect(listener.redirect, options.timeoutMs ?? 600_000, target.uri, options.signal);
    return { request, url };
  } finally {
    await listener.close();
  }
}

async function manualRedirect(client: XeroClient, options: ConsentFlowOptions, randomBytes: RandomBytes): Promise<{ request: ConsentRequest; url: URL }> {
  if (options.input === undefined) throw new TypeError("runConsentFlow: manual mode needs an input to read the pasted URL from");
  const redirectUri = chooseManualRedirectUri({ clientId: options.app.clientId, redirectUris: options.app.redirectUris, ...(options.port === undefined ? {} : { port: options.port }) });
  const request = prepare(client, redirectUri, options.scopes, randomBytes);
  options.output(`Open this URL in any browser to connect Xero app ${options.app.clientId}:`);
  options.output(request.url);
  options.output(`After you allow access, the browser goes to ${redirectUri}?code=… (the page may not load; that is fine).`);
  options.output("Paste that whole address here:");
  return { request, url: parsePastedRedirect(await options.input(), redirectUri) };
}

function untilRedirect(redirect: Promise<URL>, timeoutMs: number, uri: string, signal: AbortSignal | undefined): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    // Whatever settles first (redirect, timeout, abort) ends the other two, so nothing keeps the process alive.
    const settle = (done: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      done();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(new XeroConsentTimeoutError(`No redirect reached ${uri} within ${Math.round(timeoutMs / 1000)} s. Run the consent again, or use --manual on a machine without a browser.`)),
      );
    }, timeoutMs);
    const onAbort = (): void => settle(() => reject(signal?.reason ?? new Error("aborted")));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted === true) onAbort();
    redirect.then(
      (url) => settle(() => resolve(url)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

async function finish(client: XeroClient, request: ConsentRequest, redirect: URL): Promise<ConsentResult> {
  const { code } = readAuthorizeRedirect(redirect, { state: request.state });
  const tokens = await client.exchangeAuthorizationCode({ code, redirectUri: request.redirectUri, codeVerifier: request.codeVerifier });
  if (tokens.idToken === undefined) {
    throw new XeroProtocolError(
      `Xero returned no id token for client ${client.clientId}, though the consent asked for openid: the server at ${client.urls.token} does not behave like Xero. Check XERO_IDENTITY_URL.`,
    );
  }
  const identity = await client.verifyIdToken(tokens.idToken, { nonce: request.nonce, accessToken: tokens.accessToken });
  const tenants = await client.listConnections(tokens.accessToken);
  return { tokens, identity, tenants, redirectUri: request.redirectUri };
}
