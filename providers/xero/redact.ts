/**
 * The one redaction helper of the Xero client. Every log line, error message, error context and
 * error `cause` the client produces passes through a {@link Redactor} first.
 *
 * Two layers, because either alone misses things:
 * - known values: the client secret and the tokens an operation handles are registered and replaced
 *   wherever they appear (they are opaque strings no pattern can recognise);
 * - shapes: anything that looks like a credential (`Basic …`, `Bearer …`, a JWT, `refresh_token=…`,
 *   `"client_secret":"…"`) is replaced even when its value was never registered, e.g. a token that
 *   only appeared in a response body or in an axios error's request config.
 */

import { createHash } from "node:crypto";

/** What a secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Values shorter than this are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;
const MAX_DEPTH = 8;

/** Object keys whose values are credentials, compared lower-case without `_` and `-`. */
const SENSITIVE_KEYS = new Set([
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "clientsecret",
  "refreshtoken",
  "accesstoken",
  "idtoken",
  "codeverifier",
  "token",
  "password",
  "secret",
  "assertion",
]);

const WIRE_FIELDS = "client_secret|refresh_token|access_token|id_token|code_verifier|code|token|password|assertion";
const FORM_FIELD = new RegExp(`(^|[?&\\s;,])(${WIRE_FIELDS})=([^&\\s"';,]*)`, "g");
const JSON_FIELD = new RegExp(
  `"(${WIRE_FIELDS}|clientSecret|refreshToken|accessToken|idToken|codeVerifier)"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`,
  "g",
);
const AUTH_SCHEME = /\b(Basic|Bearer)\s+[A-Za-z0-9\-._~+/]+=*/g;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase().replace(/[_-]/g, ""));
}

/**
 * An error with nothing but a name, a code and a redacted message (and a scrubbed cause): what the
 * client attaches as `cause` instead of a library error. Axios errors in particular carry their
 * request config (headers with `Authorization: Basic …`, the form body with the refresh token).
 */
export class ScrubbedError extends Error {
  /** The original error's `code` (e.g. `ECONNRESET`), when it had a string one. */
  readonly code: string | undefined;

  constructor(name: string, message: string, code: string | undefined, cause?: ScrubbedError) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
  }
}

/** Replaces credentials in text, values and errors. Build one per operation with its secrets. */
export class Redactor {
  private readonly secrets: readonly string[];

  constructor(secrets: Iterable<string | undefined> = []) {
    const known = new Set<string>();
    for (const secret of secrets) {
      if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) known.add(secret);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...known].sort((a, b) => b.length - a.length);
  }

  /** A redactor that also knows these values. */
  with(...secrets: Array<string | undefined>): Redactor {
    return new Redactor([...this.secrets, ...secrets]);
  }

  /** The text with every known secret and every credential-shaped substring replaced. */
  text(input: string): string {
    let out = input;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out
      .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
      .replace(JWT, REDACTED)
      .replace(JSON_FIELD, (_match, key: string, colon: string) => `"${key}"${colon}"${REDACTED}"`)
      .replace(FORM_FIELD, (_match, lead: string, key: string) => `${lead}${key}=${REDACTED}`);
  }

  /** A deep copy safe to print: sensitive keys blanked, strings redacted, errors scrubbed. */
  value(input: unknown): unknown {
    return this.copy(input, 0, new WeakSet());
  }

  /**
   * Any thrown value reduced to a {@link ScrubbedError}: name, string `code`, redacted message and
   * a scrubbed `cause` chain. Everything else (axios `config`, `request`, `response`) is dropped.
   */
  error(input: unknown): ScrubbedError {
    return this.scrub(input, 0);
  }

  private scrub(input: unknown, depth: number): ScrubbedError {
    if (!(input instanceof Error)) return new ScrubbedError("Error", this.text(String(input)), undefined);
    const code = (input as { code?: unknown }).code;
    const cause = (input as { cause?: unknown }).cause;
    return new ScrubbedError(
      input.name,
      this.text(input.message),
      typeof code === "string" ? code : undefined,
      cause === undefined || depth >= MAX_DEPTH ? undefined : this.scrub(cause, depth + 1),
    );
  }

  private copy(input: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof input === "string") return this.text(input);
    if (input === null || typeof input !== "object") return input;
    if (input instanceof Error) return this.error(input);
    if (input instanceof Date) return new Date(input.getTime());
    if (seen.has(input) || depth >= MAX_DEPTH) return "[…]";
    seen.add(input);
    if (Array.isArray(input)) return input.map((item) => this.copy(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      out[key] = isSensitiveKey(key) && value !== undefined ? REDACTED : this.copy(value, depth + 1, seen);
    }
    return out;
  }
}

/** A short, non-reversible name for a secret, for context and logs: `sha256:` + 12 hex digits. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 12)}`;
}
