import { isLatencyMs } from "./latency";
import { DEFAULT_APP_TIER, isAppTier, type AppTier } from "./tiers";

/**
 * What a caller may set when starting the emulator. The OPEN items of xero-platform.md are options
 * here, each defaulting to the value that page gives.
 */
export interface EmulatorOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on; 0 picks any free port. @default 0 */
  port?: number;
  /**
   * The `iss` of every token and the discovery document's `issuer`.
   * @default the identityUrl the emulator is served at (so discovery-driven clients work);
   * set "https://identity.xero.com" for byte-for-byte Xero tokens.
   */
  issuer?: string;
  /**
   * OPEN item: whether older client secrets stay valid after "Generate another secret".
   * @default true (older secrets stay valid until deleted)
   */
  secretOverlap?: boolean;
  /** OPEN item: how long an authorization code can be redeemed. @default 300 (IdentityServer's) */
  authorizationCodeLifetimeSeconds?: number;
  /**
   * OPEN item: true models Xero's emailed authorisation step: until `POST /admin/apps/{id}/link`,
   * client_credentials works but GET /connections answers `[]`. false: an unlinked Custom Connection
   * is linked to the earliest created organisation the first time it asks for a token.
   * @default true
   */
  customConnectionLinkRequired?: boolean;
  /**
   * false: the authorize endpoint shows an HTML consent page (a form a test can post);
   * true: it redirects at once, approving with the data of the last `POST /admin/consent`.
   * @default false
   */
  autoConsent?: boolean;
  /** Where the emulator's clock starts; it then runs in real time plus `POST /admin/clock` jumps. @default now */
  startTime?: Date;
  /** Xero's published limits. @default { perTenantPerMinute: 60, perTenantPerDay: 5000, perTenantConcurrent: 5, perAppPerMinute: 10000 } */
  rateLimits?: {
    perTenantPerMinute?: number;
    perTenantPerDay?: number;
    perTenantConcurrent?: number;
    perAppPerMinute?: number;
  };
  /**
   * The tier of an app created without `tier` (`POST /admin/apps`): how many organisations it may
   * connect (starter 5, core 50, plus 1,000, advanced 10,000, enterprise unlimited, uncertified 25).
   * @default "starter" (where every new app starts since 2 March 2026)
   */
  defaultAppTier?: AppTier;
  /**
   * OPEN item: Xero publishes no token endpoint limit. A number turns on a sliding per-minute limit
   * per client id at the token endpoint: 429 with `Retry-After`. Fault injection works either way.
   * @default undefined (no limit)
   */
  tokenRateLimitPerMinute?: number;
  /**
   * OPEN item: whether the authorize endpoint takes `code_challenge_method=plain` (or no method,
   * which OAuth reads as plain); the token endpoint then compares the verifier with the challenge as is.
   * @default false (only S256, as xero-platform.md has the emulator do)
   */
  pkcePlainMethod?: boolean;
  /**
   * OPEN item: the HTTP status of `{"error":"invalid_client"}` at the token and revocation endpoints.
   * RFC 6749 allows 401; IdentityServer answers 400.
   * @default 400
   */
  invalidClientStatus?: 400 | 401;
  /**
   * OPEN item: whether Custom Connection access tokens carry the user claims of Web and PKCE tokens
   * (`sub`, `auth_time`, `idp`, `xero_userid`, `global_session_id`, `amr`), as the authorising user's.
   * @default false (the same shape without user claims)
   */
  customConnectionUserClaims?: boolean;
  /**
   * OPEN item: how the authorize endpoint answers a request it refuses before anyone signs in (bad
   * client, redirect URI or scope). `"page"`: the error page itself, 400, at the authorize URL.
   * `"redirect"`: IdentityServer's default, a 302 to its own error page
   * (`{loginUrl}/identity/error?errorId=<opaque>`, which then shows it). Never the client's redirect URI.
   * @default "page"
   */
  authorizeErrorResponse?: "page" | "redirect";
  /**
   * Milliseconds every answer of the Xero-facing endpoints takes (admin calls none), as Xero's
   * network would, counted from the request's arrival: no answer leaves sooner, and the handler's
   * work is done once that time has passed (the token endpoint's during it, see routes/token.ts);
   * `POST /admin/latency` changes it while running. A call
   * counts against the rate limits while it waits, so calls overlap as they do against Xero.
   * @default 0
   */
  latencyMs?: number;
}

export interface RateLimitSettings {
  readonly perTenantPerMinute: number;
  readonly perTenantPerDay: number;
  readonly perTenantConcurrent: number;
  readonly perAppPerMinute: number;
}

/** Options with every default filled in, except the issuer, which needs the bound port. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly issuer: string | undefined;
  readonly secretOverlap: boolean;
  readonly authorizationCodeLifetimeSeconds: number;
  readonly customConnectionLinkRequired: boolean;
  readonly autoConsent: boolean;
  readonly startTime: Date | undefined;
  readonly rateLimits: RateLimitSettings;
  readonly defaultAppTier: AppTier;
  readonly tokenRateLimitPerMinute: number | undefined;
  readonly pkcePlainMethod: boolean;
  readonly invalidClientStatus: 400 | 401;
  readonly customConnectionUserClaims: boolean;
  readonly authorizeErrorResponse: "page" | "redirect";
  readonly latencyMs: number;
}

export const XERO_RATE_LIMITS: RateLimitSettings = {
  perTenantPerMinute: 60,
  perTenantPerDay: 5000,
  perTenantConcurrent: 5,
  perAppPerMinute: 10000,
};

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`emulator option ${name} must be a whole number of at least 1, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`emulator option port must be 0..65535, got ${String(options.port)}`);
  }
  if (options.issuer !== undefined && !/^https?:\/\/[^\s]+$/.test(options.issuer)) {
    throw new RangeError(`emulator option issuer must be an http(s) URL, got ${options.issuer}`);
  }
  const limits = options.rateLimits ?? {};
  if (options.invalidClientStatus !== undefined && options.invalidClientStatus !== 400 && options.invalidClientStatus !== 401) {
    throw new RangeError(`emulator option invalidClientStatus must be 400 or 401, got ${String(options.invalidClientStatus)}`);
  }
  if (options.authorizeErrorResponse !== undefined && options.authorizeErrorResponse !== "page" && options.authorizeErrorResponse !== "redirect") {
    throw new RangeError(`emulator option authorizeErrorResponse must be "page" or "redirect", got ${String(options.authorizeErrorResponse)}`);
  }
  if (options.defaultAppTier !== undefined && !isAppTier(options.defaultAppTier)) {
    throw new RangeError(`emulator option defaultAppTier must be starter, core, plus, advanced, enterprise or uncertified, got ${String(options.defaultAppTier)}`);
  }
  if (options.latencyMs !== undefined && !isLatencyMs(options.latencyMs)) {
    throw new RangeError(`emulator option latencyMs must be a whole number of milliseconds >= 0, got ${String(options.latencyMs)}`);
  }
  return {
    host: options.host ?? "127.0.0.1",
    port,
    issuer: options.issuer?.replace(/\/+$/, ""),
    secretOverlap: options.secretOverlap ?? true,
    authorizationCodeLifetimeSeconds: positiveInteger(
      "authorizationCodeLifetimeSeconds",
      options.authorizationCodeLifetimeSeconds,
      300,
    ),
    customConnectionLinkRequired: options.customConnectionLinkRequired ?? true,
    autoConsent: options.autoConsent ?? false,
    startTime: options.startTime,
    rateLimits: {
      perTenantPerMinute: positiveInteger("rateLimits.perTenantPerMinute", limits.perTenantPerMinute, XERO_RATE_LIMITS.perTenantPerMinute),
      perTenantPerDay: positiveInteger("rateLimits.perTenantPerDay", limits.perTenantPerDay, XERO_RATE_LIMITS.perTenantPerDay),
      perTenantConcurrent: positiveInteger("rateLimits.perTenantConcurrent", limits.perTenantConcurrent, XERO_RATE_LIMITS.perTenantConcurrent),
      perAppPerMinute: positiveInteger("rateLimits.perAppPerMinute", limits.perAppPerMinute, XERO_RATE_LIMITS.perAppPerMinute),
    },
    defaultAppTier: options.defaultAppTier ?? DEFAULT_APP_TIER,
    tokenRateLimitPerMinute:
      options.tokenRateLimitPerMinute === undefined ? undefined : positiveInteger("tokenRateLimitPerMinute", options.tokenRateLimitPerMinute, 1),
    pkcePlainMethod: options.pkcePlainMethod ?? false,
    invalidClientStatus: options.invalidClientStatus ?? 400,
    customConnectionUserClaims: options.customConnectionUserClaims ?? false,
    authorizeErrorResponse: options.authorizeErrorResponse ?? "page",
    latencyMs: options.latencyMs ?? 0,
  };
}
