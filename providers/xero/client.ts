import { randomBytes as nodeRandomBytes } from "node:crypto";
import { systemClock, type Clock } from "../clock";
import { ConfigError } from "../errors";
import { decodeAccessToken, type XeroAccessTokenInfo } from "./access-token";
import { judgeAgainstControl, readAuthorizeAnswer } from "./authorize-probe";
import { buildAuthorizeUrl, type AuthorizeUrlParams } from "./authorize-url";
import { resolveEndpoints, xeroUrls, type XeroEndpoints, type XeroEnv, type XeroUrls } from "./endpoints";
import { XeroInvalidClientError, XeroInvalidGrantError, XeroProtocolError, XeroTokenVerificationError } from "./errors";
import { type HttpTransport, type RawResponse, type TransportFailure } from "./http";
import { transportForEnvironment } from "./node-http-transport";
import { parseConnectionsResponse, parseDeleteConnectionResponse, type XeroConnection } from "./parse-api";
import { rateLimitedError, serverError, type ParseContext } from "./parse-common";
import { parseRevocationResponse, parseTokenResponse, tokenEndpointError, type TokenParseContext, type TokenRequestKind, type XeroTokenSet } from "./parse-token";
import { codeChallengeS256, createCodeVerifier, type RandomBytes } from "./pkce";
import { Redactor } from "./redact";
import { bearerRequest, formPostRequest, getRequest, type ClientAuth } from "./requests";
import { retryPolicy, type Idempotency, type RetryPolicy } from "./retry";
import { lostAnswer, realSleep, sendWithRetries, type SendContext, type SendResult, type XeroAttemptObserver, type XeroLogger } from "./send";
import { codeMaybeSpentError, refreshOutcomeUnknownError, unavailableError } from "./outcome-errors";
import { parseDiscoveryResponse, parseJwksResponse, verifyJwtWithJwks, type DiscoveryDocument, type JsonWebKeySet } from "./verify";
import { checkIdTokenClaims, type XeroIdTokenClaims } from "./id-token";

export interface XeroClientOptions {
  /** The app's client id (32 hex characters in Xero's portal). */
  readonly clientId: string;
  /** Web apps and Custom Connections have one; PKCE apps do not (their client authentication is `none`). */
  readonly clientSecret?: string;
  /** How to send the secret. @default "client_secret_basic" */
  readonly clientAuthMethod?: "client_secret_basic" | "client_secret_post";
  /** Explicit base URLs; they win over `env`. @default real Xero */
  readonly endpoints?: Partial<XeroEndpoints>;
  /** Where `XERO_LOGIN_URL`, `XERO_IDENTITY_URL`, `XERO_API_URL` are read from. @default process.env */
  readonly env?: XeroEnv;
  /** Deadline of each HTTP request. @default 10000 */
  readonly timeoutMs?: number;
  /** Retry bounds. @default DEFAULT_RETRY_POLICY (4 attempts, 250 ms doubling to 5 s, Retry-After up to 60 s) */
  readonly retry?: Partial<RetryPolicy>;
  /** How long Xero accepts a refresh token again after its rotation. @default 1800 (Xero's 30 minutes) */
  readonly refreshGraceSeconds?: number;
  /** Expected `aud` of access tokens. @default "https://identity.xero.com/resources" (Xero's, whatever the issuer) */
  readonly audience?: string;
  readonly clock?: Clock;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** @default crypto.randomBytes */
  readonly randomBytes?: RandomBytes;
  /**
   * @default Node's http module; axios when a proxy variable is set in `env` or in the process's
   * environment (see transportForEnvironment), since axios honours proxies and Node's http does not
   */
  readonly http?: HttpTransport;
  /** Receives redacted debug lines. @default none */
  readonly logger?: XeroLogger;
  /** Told of every attempt and its outcome, e.g. a limiter counting 429s (see call-limiter.ts). @default none */
  readonly observer?: XeroAttemptObserver;
}

/** The `aud` of every Xero access token. */
export const XERO_ACCESS_TOKEN_AUDIENCE = "https://identity.xero.com/resources";

/** What Xero's authorize endpoint said about one request sent with no user. */
export type XeroAuthorizeProbeResult =
  | { readonly accepted: true; readonly redirectUri: string; readonly scopes: readonly string[] }
  | {
      readonly accepted: false;
      readonly redirectUri: string;
      readonly scopes: readonly string[];
      /** The OAuth error the answer names, when it names one. */
      readonly error: string | undefined;
      readonly description: string | undefined;
      /** How Xero answered, in words (`its error page (HTTP 400)`). */
      readonly answer: string;
    };

/** A redirect URI no app can have (the `.invalid` top-level domain is reserved): the control request. */
const CONTROL_REDIRECT_URI = "https://authorize-probe.cdktf-xero.invalid/never-registered";

/** The probe's verdict on a client id (and secret). */
export type XeroProbeResult =
  | { readonly valid: true; readonly clientId: string }
  | { readonly valid: false; readonly clientId: string; readonly error: XeroInvalidClientError };

/**
 * Xero's identity and connections API for one app. Every method is one operation: bounded retries,
 * a deadline per request, typed errors, and nothing secret in any message or log line.
 *
 * @example
 * const xero = new XeroClient({ clientId, clientSecret, env: process.env });
 * const tokens = await xero.clientCredentials();
 * const [connection] = await xero.listConnections(tokens.accessToken);
 */
export class XeroClient {
  readonly clientId: string;
  readonly endpoints: XeroEndpoints;
  readonly urls: XeroUrls;
  private readonly auth: ClientAuth;
  private readonly redactor: Redactor;
  private readonly send: SendContext;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly audience: string | undefined;
  private readonly randomBytes: RandomBytes;
  private discovery: Promise<DiscoveryDocument> | undefined;
  private jwks: JsonWebKeySet | undefined;

  constructor(options: XeroClientOptions) {
    if (options.clientId.trim() === "") throw new ConfigError("clientId must not be empty");
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
    this.clientId = options.clientId;
    const env = options.env ?? process.env;
    this.endpoints = resolveEndpoints({ overrides: options.endpoints ?? {}, env });
    this.urls = xeroUrls(this.endpoints);
    this.auth = options.clientSecret === undefined
      ? { method: "none", clientId: options.clientId }
      : { method: options.clientAuthMethod ?? "client_secret_basic", clientId: options.clientId, clientSecret: options.clientSecret };
    this.redactor = new Redactor([options.clientSecret]);
    this.timeoutMs = timeoutMs;
    this.graceMs = (options.refreshGraceSeconds ?? 1800) * 1000;
    this.audience = options.audience;
    this.randomBytes = options.randomBytes ?? nodeRandomBytes;
    this.send = {
      transport: options.http ?? transportForEnvironment(env),
      policy: retryPolicy(options.retry),
      clock: options.clock ?? systemClock,
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    };
  }

  /** The authorize URL for this app (see {@link buildAuthorizeUrl}). */
  authorizeUrl(params: Omit<AuthorizeUrlParams, "clientId">): string {
    return buildAuthorizeUrl(this.endpoints, { ...params, clientId: this.clientId });
  }

  /**
   * client_credentials: a token for the one organisation a Custom Connection is linked to.
   * @param scopes omit to get every scope the connection was granted
   */
  async clientCredentials(options: { scopes?: readonly string[] } = {}): Promise<XeroTokenSet> {
    const params: Array<[string, string]> = [["grant_type", "client_credentials"]];
    if (options.scopes !== undefined && options.scopes.length > 0) params.push(["scope", options.scopes.join(" ")]);
    const { result, context } = await this.sendToken("client_credentials", params, "idempotent", [], options.scopes);
    return parseTokenResponse(this.responseOf(result, context), context);
  }

  /**
   * Exchanges an authorization code. Web apps authenticate with their secret; PKCE apps (no secret)
   * must pass the `codeVerifier` whose challenge went into the authorize URL. Never re-sent once it
   * may have reached Xero: a code is single use.
   */
  async exchangeAuthorizationCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<XeroTokenSet> {
    if (this.auth.method === "none" && input.codeVerifier === undefined) {
      throw new ConfigError(`client ${this.clientId} has no client secret, so it is a PKCE app: pass the codeVerifier of the authorize request`);
    }
    const params: Array<[string, string]> = [
      ["grant_type", "authorization_code"],
      ["code", input.code],
      ["redirect_uri", input.redirectUri],
    ];
    if (input.codeVerifier !== undefined) params.push(["code_verifier", input.codeVerifier]);
    const { result, context } = await this.sendToken("authorization_code", params, "non-idempotent", [input.code, input.codeVerifier]);
    const lost = lostAnswer(result);
    if (lost !== undefined) throw codeMaybeSpentError(lost, failureOf(result), context, result.attempts);
    return parseTokenResponse(this.responseOf(result, context), context);
  }

  /**
   * Exchanges a refresh token for a new token set (the refresh token rotates: store the new one).
   * Never re-sent once it may have reached Xero: if the answer is lost, throws
   * {@link XeroRefreshOutcomeUnknownError}, which says until when the same token may be sent again.
   */
  async refresh(refreshToken: string): Promise<XeroTokenSet> {
    const sentAt = this.send.clock.now();
    const params: Array<[string, string]> = [["grant_type", "refresh_token"], ["refresh_token", refreshToken]];
    const { result, context } = await this.sendToken("refresh_token", params, "non-idempotent", [refreshToken]);
    const lost = lostAnswer(result);
    if (lost !== undefined) {
      throw refreshOutcomeUnknownError({
        lost,
        failure: failureOf(result),
        context,
        attempts: result.attempts,
        sentAt,
        graceMs: this.graceMs,
        refreshToken,
        retry: () => this.refresh(refreshToken),
      });
    }
    return parseTokenResponse(this.responseOf(result, context), context);
  }

  /** Revokes a refresh token: Xero also removes that user's connections to this app. */
  async revoke(refreshToken: string): Promise<void> {
    const { result, context } = await this.sendToken("revocation", [["token", refreshToken]], "idempotent", [refreshToken]);
    parseRevocationResponse(this.responseOf(result, context), context);
  }

  /**
   * Proves a client id (and secret) live without spending anything: posts a deliberately invalid
   * authorization code. `invalid_grant` means Xero authenticated the client (valid); `invalid_client`
   * means it did not (returned, not thrown). Any other answer throws its typed error.
   */
  async probeClient(): Promise<XeroProbeResult> {
    const code = `cdktf-xero-probe-${Buffer.from(this.randomBytes(16)).toString("hex")}`;
    const params: Array<[string, string]> = [
      ["grant_type", "authorization_code"],
      ["code", code],
      ["redirect_uri", "https://localhost/cdktf-xero/probe"],
    ];
    // A PKCE app's token request must carry a verifier; a random one keeps the request well-formed.
    if (this.auth.method === "none") params.push(["code_verifier", createCodeVerifier(this.randomBytes)]);
    const { result, context } = await this.sendToken("probe", params, "idempotent", []);
    const response = this.responseOf(result, context);
    if (response.status === 200) {
      throw new XeroProtocolError(
        `The token endpoint accepted the client probe's deliberately invalid code for ${this.clientId}: the server ` +
          `at ${this.urls.token} does not behave like Xero. Check XERO_IDENTITY_URL.`,
        { context: { operation: context.operation, clientId: this.clientId, status: 200 } },
      );
    }
    const error = tokenEndpointError(response, context);
    if (error instanceof XeroInvalidGrantError) return { valid: true, clientId: this.clientId };
    if (error instanceof XeroInvalidClientError) return { valid: false, clientId: this.clientId, error };
    throw error;
  }

  /**
   * Asks Xero's authorize endpoint whether it takes this client with `redirectUri` and `scopes`,
   * without any user: the request carries no cookies and no redirect is followed, so a valid
   * request ends at the sign-in page and nobody consents to anything (see authorize-probe.ts). A
   * PKCE challenge is always sent (PKCE apps require one). Refusals are returned, not thrown; an
   * unreachable or failing endpoint throws its typed error.
   */
  async probeAuthorize(input: { redirectUri: string; scopes: readonly string[] }): Promise<XeroAuthorizeProbeResult> {
    const url = this.probeAuthorizeUrl(input.redirectUri, input.scopes);
    const verdict = readAuthorizeAnswer(await this.sendAuthorize(url, "GET authorize (probe)"), url, input.redirectUri);
    const final = verdict.kind === "needs-control" ? judgeAgainstControl(verdict.location, await this.authorizeControl(), url) : verdict;
    if (final.kind === "refused") {
      return { accepted: false, redirectUri: input.redirectUri, scopes: input.scopes, error: final.error, description: final.description, answer: final.answer };
    }
    return { accepted: true, redirectUri: input.redirectUri, scopes: input.scopes };
  }

  private authorizeControlAnswer: Promise<RawResponse> | undefined;

  /** The answer to a request that must fail (an unregistered redirect URI), fetched once per client. */
  private authorizeControl(): Promise<RawResponse> {
    if (this.authorizeControlAnswer === undefined) {
      this.authorizeControlAnswer = this.sendAuthorize(this.probeAuthorizeUrl(CONTROL_REDIRECT_URI, ["openid"]), "GET authorize (control)");
      this.authorizeControlAnswer.catch(() => {
        this.authorizeControlAnswer = undefined;
      });
    }
    return this.authorizeControlAnswer;
  }

  private probeAuthorizeUrl(redirectUri: string, scopes: readonly string[]): string {
    const verifier = createCodeVerifier(this.randomBytes);
    return buildAuthorizeUrl(this.endpoints, {
      clientId: this.clientId,
      redirectUri,
      scopes,
      state: Buffer.from(this.randomBytes(16)).toString("hex"),
      codeChallenge: codeChallengeS256(verifier),
    });
  }

  private async sendAuthorize(url: string, operation: string): Promise<RawResponse> {
    const context = this.apiContext(operation, this.redactor);
    const request = { method: "GET" as const, url, headers: { accept: "text/html", "user-agent": "cdktf-xero" }, timeoutMs: this.timeoutMs };
    const response = this.responseOf(await sendWithRetries(request, { idempotency: "idempotent", label: operation, redactor: this.redactor }, this.send), context);
    if (response.status === 429) throw rateLimitedError(response, context);
    if (response.status >= 500) throw serverError(response, context);
    return response;
  }

  /** GET /connections: the tenants this token may use, optionally only those of one consent. */
  async listConnections(accessToken: string, options: { authEventId?: string } = {}): Promise<XeroConnection[]> {
    const url = options.authEventId === undefined
      ? this.urls.connections
      : `${this.urls.connections}?authEventId=${encodeURIComponent(options.authEventId)}`;
    const redactor = this.redactor.with(accessToken);
    const context = this.apiContext("GET /connections", redactor);
    const result = await sendWithRetries(bearerRequest("GET", url, accessToken, this.timeoutMs), { idempotency: "idempotent", label: context.operation, redactor }, this.send);
    return parseConnectionsResponse(this.responseOf(result, context), { ...context, receivedAt: this.send.clock.now() });
  }

  /**
   * DELETE /connections/{id} (the connection id, not the tenant id). Retried like any idempotent
   * call; a 404 after an attempt whose answer was lost counts as done.
   */
  async deleteConnection(accessToken: string, connectionId: string): Promise<void> {
    const url = `${this.urls.connections}/${encodeURIComponent(connectionId)}`;
    const redactor = this.redactor.with(accessToken);
    const context = { ...this.apiContext(`DELETE /connections/${connectionId}`, redactor), connectionId };
    const result = await sendWithRetries(bearerRequest("DELETE", url, accessToken, this.timeoutMs), { idempotency: "idempotent", label: context.operation, redactor }, this.send);
    const response = this.responseOf(result, context);
    if (response.status === 404 && result.attempts > 1) return;
    parseDeleteConnectionResponse(response, { ...context, receivedAt: this.send.clock.now() });
  }

  /** Claims, granted scopes and expiry of an access token, NOT verified (see {@link verifyAccessToken}). */
  decodeAccessToken(accessToken: string): XeroAccessTokenInfo {
    return decodeAccessToken(accessToken);
  }

  /**
   * Verifies an access token's RS256 signature against the issuer's JWKS (found through discovery)
   * and its `iss`, `aud`, `exp` and `nbf`. Keys are cached; an unknown `kid` refetches them once.
   */
  async verifyAccessToken(accessToken: string): Promise<XeroAccessTokenInfo> {
    await this.verifyJwt(accessToken, this.audience ?? XERO_ACCESS_TOKEN_AUDIENCE, "access token");
    return decodeAccessToken(accessToken);
  }

  /**
   * Verifies the id token of an authorization-code exchange against the issuer's JWKS: RS256
   * signature, `iss` (discovery's issuer), `aud` (this client id), `exp`/`nbf` on the injected
   * clock, the `nonce` this client sent to authorize, and (when present) `at_hash` against the
   * access token of the same response. Resolves with who consented; rejects with
   * {@link XeroTokenVerificationError}.
   */
  async verifyIdToken(idToken: string, expect: { nonce: string; accessToken?: string }): Promise<XeroIdTokenClaims> {
    const claims = await this.verifyJwt(idToken, this.clientId, "id token", expect.accessToken);
    return checkIdTokenClaims(claims, expect);
  }

  /** Signature and standard claims of a JWT; keys are cached and an unknown `kid` refetches them once. */
  private async verifyJwt(token: string, audience: string, tokenName: string, alsoSecret?: string): Promise<Record<string, unknown>> {
    const redactor = this.redactor.with(token, alsoSecret);
    const discovery = await this.discover();
    const expect = { issuer: discovery.issuer, audience, now: this.send.clock.now() };
    const cached = this.jwks;
    const keys = cached ?? (await this.fetchJwks(discovery));
    try {
      return await verifyJwtWithJwks(token, keys, expect, redactor, tokenName);
    } catch (error) {
      const stale = cached !== undefined && error instanceof XeroTokenVerificationError && error.context["joseCode"] === "ERR_JWKS_NO_MATCHING_KEY";
      if (!stale) throw error;
      return verifyJwtWithJwks(token, await this.fetchJwks(discovery), expect, redactor, tokenName);
    }
  }

  /** The identity server's discovery document (fetched once per client; a failure is not cached). */
  discover(): Promise<DiscoveryDocument> {
    if (this.discovery === undefined) {
      this.discovery = this.get(this.urls.discovery, "GET openid-configuration", parseDiscoveryResponse);
      this.discovery.catch(() => {
        this.discovery = undefined;
      });
    }
    return this.discovery;
  }

  private async fetchJwks(discovery: DiscoveryDocument): Promise<JsonWebKeySet> {
    const keys = await this.get(discovery.jwksUri, "GET jwks", parseJwksResponse);
    this.jwks = keys;
    return keys;
  }

  private async get<T>(url: string, operation: string, parse: (response: RawResponse, context: ParseContext) => T): Promise<T> {
    const context = this.apiContext(operation, this.redactor);
    const result = await sendWithRetries(getRequest(url, this.timeoutMs), { idempotency: "idempotent", label: operation, redactor: this.redactor }, this.send);
    return parse(this.responseOf(result, context), { ...context, receivedAt: this.send.clock.now() });
  }

  /** Sends a token or revocation request; the context's `receivedAt` is when its last answer came. */
  private async sendToken(
    kind: TokenRequestKind,
    params: ReadonlyArray<readonly [string, string]>,
    idempotency: Idempotency,
    secrets: ReadonlyArray<string | undefined>,
    requestedScopes?: readonly string[],
  ): Promise<{ result: SendResult; context: TokenParseContext }> {
    const redactor = this.redactor.with(...secrets);
    const url = kind === "revocation" ? this.urls.revocation : this.urls.token;
    const context = this.tokenContext(kind, redactor, requestedScopes);
    const result = await sendWithRetries(formPostRequest(url, this.auth, params, this.timeoutMs), { idempotency, label: context.operation, redactor }, this.send);
    return { result, context: { ...context, receivedAt: this.send.clock.now() } };
  }

  private tokenContext(kind: TokenRequestKind, redactor: Redactor, requestedScopes?: readonly string[]): TokenParseContext {
    const operation = kind === "revocation" ? "the revocation request" : kind === "probe" ? "the client probe" : `the ${kind} token request`;
    return {
      kind,
      operation,
      clientId: this.clientId,
      receivedAt: this.send.clock.now(),
      redactor,
      ...(requestedScopes === undefined ? {} : { requestedScopes }),
    };
  }

  private apiContext(operation: string, redactor: Redactor): ParseContext {
    return { operation, clientId: this.clientId, receivedAt: this.send.clock.now(), redactor };
  }

  /** The response of a send, or the XeroUnavailableError its transport failure means. */
  private responseOf(result: SendResult, context: ParseContext): RawResponse {
    if (result.kind === "response") return result.response;
    throw unavailableError(result.failure, context, result.attempts);
  }
}

function failureOf(result: SendResult): TransportFailure | undefined {
  return result.kind === "failure" ? result.failure : undefined;
}
