import { ConfigError } from "../errors";

/** The three hosts of Xero's identity platform. Each is a base URL without a trailing slash. */
export interface XeroEndpoints {
  /** Where users sign in and consent. @default "https://login.xero.com" */
  readonly loginUrl: string;
  /** Token, revocation and discovery. @default "https://identity.xero.com" */
  readonly identityUrl: string;
  /** The API, including /connections. @default "https://api.xero.com" */
  readonly apiUrl: string;
}

/** Real Xero. */
export const XERO_ENDPOINTS: XeroEndpoints = Object.freeze({
  loginUrl: "https://login.xero.com",
  identityUrl: "https://identity.xero.com",
  apiUrl: "https://api.xero.com",
});

/** Environment variables as the process sees them; passed in, never read from `process.env` here. */
export type XeroEnv = Readonly<Record<string, string | undefined>>;

const ENV_NAMES: Record<keyof XeroEndpoints, string> = {
  loginUrl: "XERO_LOGIN_URL",
  identityUrl: "XERO_IDENTITY_URL",
  apiUrl: "XERO_API_URL",
};

/** The full URLs the client calls, derived from the three bases. */
export interface XeroUrls {
  readonly authorize: string;
  readonly token: string;
  readonly revocation: string;
  readonly discovery: string;
  readonly connections: string;
}

/**
 * The endpoint overrides set in an environment (`XERO_LOGIN_URL`, `XERO_IDENTITY_URL`,
 * `XERO_API_URL`); empty values count as unset.
 * @example endpointsFromEnv(process.env) // at the program's edge only
 */
export function endpointsFromEnv(env: XeroEnv): Partial<XeroEndpoints> {
  const out: { -readonly [K in keyof XeroEndpoints]?: string } = {};
  for (const key of Object.keys(ENV_NAMES) as Array<keyof XeroEndpoints>) {
    const value = env[ENV_NAMES[key]];
    if (value !== undefined && value.trim() !== "") out[key] = checkBaseUrl(value.trim(), ENV_NAMES[key]);
  }
  return out;
}

/**
 * The endpoints to use: explicit options win over the environment, which wins over real Xero.
 * Throws {@link ConfigError} naming the option or variable when a URL is not a plain http(s) base,
 * or uses http to anything but loopback.
 */
export function resolveEndpoints(options: { overrides?: Partial<XeroEndpoints>; env?: XeroEnv } = {}): XeroEndpoints {
  const fromEnv = endpointsFromEnv(options.env ?? {});
  const pick = (key: keyof XeroEndpoints): string => {
    const explicit = options.overrides?.[key];
    if (explicit !== undefined) return checkBaseUrl(explicit.trim(), key);
    return fromEnv[key] ?? XERO_ENDPOINTS[key];
  };
  return { loginUrl: pick("loginUrl"), identityUrl: pick("identityUrl"), apiUrl: pick("apiUrl") };
}

/** The URL of every call the client makes. */
export function xeroUrls(endpoints: XeroEndpoints): XeroUrls {
  return {
    authorize: `${endpoints.loginUrl}/identity/connect/authorize`,
    token: `${endpoints.identityUrl}/connect/token`,
    revocation: `${endpoints.identityUrl}/connect/revocation`,
    discovery: `${endpoints.identityUrl}/.well-known/openid-configuration`,
    connections: `${endpoints.apiUrl}/connections`,
  };
}

/**
 * Base URLs already found valid, by variable or option name and value: a drift run makes a client
 * per app, each resolving the same endpoints; with XERO_*_URL or endpoint options set (the
 * emulator, the benchmarks), parsing them was about 4 % of the run's CPU.
 * Only valid ones are kept (an invalid one throws again each time); a process sees a handful.
 */
const checkedBaseUrls = new Map<string, string>();

function checkBaseUrl(value: string, name: string): string {
  const key = `${name}\u0000${value}`;
  let checked = checkedBaseUrls.get(key);
  if (checked === undefined) {
    checked = parseBaseUrl(value, name);
    checkedBaseUrls.set(key, checked);
  }
  return checked;
}

function parseBaseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL such as https://identity.xero.com, got "${value}"`, {
      context: { name, value },
    });
  }
  if (url.username !== "" || url.password !== "") {
    // Never echo the value: it holds credentials.
    throw new ConfigError(`${name} must not contain a user name or password; remove the "user:pass@" part`, {
      context: { name },
    });
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "") {
    throw new ConfigError(`${name} must be an http(s) base URL without query or fragment, got "${value}"`, {
      context: { name, value },
    });
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    // Client secrets go to the identity URL in HTTP Basic auth: over plain http anyone on the path reads them.
    throw new ConfigError(
      `${name} uses plain http:// to ${url.hostname}, which would send client secrets and tokens in cleartext; http is allowed ` +
        `only to this machine (localhost, 127.0.0.0/8, [::1], e.g. the emulator): use https://`,
      { context: { name, host: url.hostname } },
    );
  }
  return value.replace(/\/+$/, "");
}

/** localhost, 127.0.0.0/8 or ::1, as WHATWG URL parsing normalizes a hostname (`127.1` is `127.0.0.1`). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
