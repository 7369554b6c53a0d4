import { findRedirectUriProblem } from "./redirect-uris";
import { APP_STORE_SCOPES, BROAD_SCOPES, isKnownScope, mayHoldBroadScopes } from "./scopes";
import type { App, AppChanges, AppKind, TenantType } from "./state";
import { APP_TIERS, isAppTier, type AppTier } from "./tiers";

/**
 * Validators for admin API bodies: `unknown` JSON in, typed input or a message naming the field,
 * the problem and the value out. Past these, admin handlers trust their types.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export function parseJsonBody(body: string): Parsed<Record<string, unknown>> {
  if (body.trim().length === 0) return ok({});
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return fail("body must be JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("body must be a JSON object");
  return ok(value as Record<string, unknown>);
}

function stringField(body: Record<string, unknown>, name: string): Parsed<string> {
  const value = body[name];
  if (typeof value !== "string" || value.trim().length === 0) return fail(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  return ok(value);
}

function stringArray(body: Record<string, unknown>, name: string, required: boolean): Parsed<string[]> {
  const value = body[name];
  if (value === undefined && !required) return ok([]);
  if (!Array.isArray(value)) return fail(`${name} must be an array of strings, got ${JSON.stringify(value)}`);
  for (const [i, item] of value.entries()) {
    if (typeof item !== "string") return fail(`${name}[${i}] must be a string, got ${JSON.stringify(item)}`);
  }
  return ok(value as string[]);
}

function optionalNonNegative(body: Record<string, unknown>, name: string, max: number): Parsed<number | undefined> {
  const value = body[name];
  if (value === undefined) return ok(undefined);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    return fail(`${name} must be a whole number 0..${max}, got ${JSON.stringify(value)}`);
  }
  return ok(value);
}

export interface AppInput {
  readonly kind: AppKind;
  readonly name: string;
  readonly scopes: string[];
  readonly redirectUris: string[];
  /** Undefined: the emulator's defaultAppTier (web/pkce); always undefined for a Custom Connection. */
  readonly tier: AppTier | undefined;
  readonly appStore: boolean;
  readonly broadScopesAllowed: boolean;
}

const KINDS: readonly AppKind[] = ["web", "pkce", "custom_connection"];

/** The scopes an app of this kind may list in the portal, deduplicated, or the first problem. */
function parseScopes(body: Record<string, unknown>, kind: AppKind, broadScopesAllowed: boolean): Parsed<string[]> {
  const scopes = stringArray(body, "scopes", true);
  if (!scopes.ok) return scopes;
  for (const [i, scope] of scopes.value.entries()) {
    if (!isKnownScope(scope)) return fail(`scopes[${i}] is not a Xero scope, got ${scope}`);
    if (BROAD_SCOPES.has(scope) && !broadScopesAllowed) {
      return fail(
        `scopes[${i}] is a broad scope apps created since 2 March 2026 (Custom Connections: 29 April 2026) cannot hold (use granular scopes, or legacyScopes: true for an older app), got ${scope}`,
      );
    }
    if (APP_STORE_SCOPES.has(scope)) {
      return fail(`scopes[${i}] is obtained only through client credentials by an App Store app (create a web app with appStore: true), not listed in scopes, got ${scope}`);
    }
  }
  if (kind === "custom_connection" && scopes.value.length === 0) return fail("scopes must name at least one scope for a custom_connection app");
  return ok([...new Set(scopes.value)]);
}

function parseRedirectUris(body: Record<string, unknown>, kind: AppKind, required: boolean): Parsed<string[]> {
  const redirectUris = stringArray(body, "redirectUris", required);
  if (!redirectUris.ok) return redirectUris;
  if (kind === "custom_connection") {
    return redirectUris.value.length > 0 ? fail("redirectUris must be empty for a custom_connection app") : redirectUris;
  }
  if (redirectUris.value.length === 0) return fail(`redirectUris must hold at least one URI for a ${kind} app`);
  const problem = findRedirectUriProblem(redirectUris.value);
  return problem === undefined ? redirectUris : fail(problem);
}

function parseTier(body: Record<string, unknown>, kind: AppKind): Parsed<AppTier | undefined> {
  const tier = body["tier"];
  if (tier === undefined) return ok(undefined);
  if (kind === "custom_connection") return fail("tier must be absent for a custom_connection app: it links one organisation and is licensed per organisation");
  return isAppTier(tier) ? ok(tier) : fail(`tier must be one of ${APP_TIERS.join(", ")}, got ${JSON.stringify(tier)}`);
}

/** `POST /apps`; `now` is the emulator time the app is created at (it decides whether broad scopes are still offered). */
export function parseAppInput(body: Record<string, unknown>, now: Date): Parsed<AppInput> {
  const kind = body["kind"];
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    return fail(`kind must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  const appKind = kind as AppKind;
  const name = stringField(body, "name");
  if (!name.ok) return name;
  const legacy = body["legacyScopes"];
  if (legacy !== undefined && typeof legacy !== "boolean") return fail(`legacyScopes must be true or false, got ${JSON.stringify(legacy)}`);
  const broadScopesAllowed = legacy === true || mayHoldBroadScopes(appKind, now);
  const scopes = parseScopes(body, appKind, broadScopesAllowed);
  if (!scopes.ok) return scopes;
  const redirectUris = parseRedirectUris(body, appKind, false);
  if (!redirectUris.ok) return redirectUris;
  const tier = parseTier(body, appKind);
  if (!tier.ok) return tier;
  const appStore = body["appStore"];
  if (appStore !== undefined && typeof appStore !== "boolean") return fail(`appStore must be true or false, got ${JSON.stringify(appStore)}`);
  if (appStore === true && appKind !== "web") return fail(`appStore must be absent or false for a ${appKind} app: App Store apps are web apps`);
  return ok({
    kind: appKind,
    name: name.value,
    scopes: scopes.value,
    redirectUris: redirectUris.value,
    tier: tier.value,
    appStore: appStore === true,
    broadScopesAllowed,
  });
}

const UPDATABLE = ["scopes", "redirectUris", "tier", "tenantId"] as const;

/** `PATCH /apps/{clientId}`: the portal's edit form for this app. Organisations are checked by the caller. */
export function parseAppChanges(body: Record<string, unknown>, app: App): Parsed<AppChanges> {
  const unknown = Object.keys(body).find((key) => !(UPDATABLE as readonly string[]).includes(key));
  if (unknown !== undefined) return fail(`${unknown} cannot be changed; a PATCH may set ${UPDATABLE.join(", ")}`);
  if (Object.keys(body).length === 0) return fail(`a PATCH must set at least one of ${UPDATABLE.join(", ")}`);
  let changes: AppChanges = {};
  if (body["scopes"] !== undefined) {
    const scopes = parseScopes(body, app.kind, app.broadScopesAllowed);
    if (!scopes.ok) return scopes;
    changes = { ...changes, scopes: scopes.value };
  }
  if (body["redirectUris"] !== undefined) {
    if (app.kind === "custom_connection") return fail("redirectUris cannot be set on a custom_connection app");
    const redirectUris = parseRedirectUris(body, app.kind, true);
    if (!redirectUris.ok) return redirectUris;
    changes = { ...changes, redirectUris: redirectUris.value };
  }
  const tier = parseTier(body, app.kind);
  if (!tier.ok) return tier;
  if (tier.value !== undefined) changes = { ...changes, tier: tier.value };
  if (body["tenantId"] !== undefined) {
    if (app.kind !== "custom_connection") return fail(`tenantId can be set only on a custom_connection app, not a ${app.kind} app`);
    const tenantId = stringField(body, "tenantId");
    if (!tenantId.ok) return tenantId;
    changes = { ...changes, tenantId: tenantId.value };
  }
  return ok(changes);
}

export function parseOrgInput(body: Record<string, unknown>): Parsed<{ name: string; type: TenantType; countryCode: string }> {
  const name = stringField(body, "name");
  if (!name.ok) return name;
  const type = body["type"] ?? "ORGANISATION";
  if (type !== "ORGANISATION" && type !== "PRACTICE") return fail(`type must be ORGANISATION or PRACTICE, got ${JSON.stringify(type)}`);
  const countryCode = body["countryCode"] ?? "NZ";
  if (typeof countryCode !== "string" || !/^[A-Z]{2}$/.test(countryCode)) {
    return fail(`countryCode must be two uppercase letters (ISO 3166, e.g. NZ, AU, GB, US), got ${JSON.stringify(countryCode)}`);
  }
  return ok({ name: name.value, type, countryCode });
}

export interface UserInput {
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
}

const NAME_MAX_LENGTH = 255;

function capitalise(word: string): string {
  return word.length === 0 ? word : `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}

/**
 * The names a user gets when the body leaves them out: the first two parts of the email's local part
 * split at `.`, `_` and `+` (`ada.lovelace@…` → Ada Lovelace), the family name "User" when there is
 * no second part (`ada@…` → Ada User). Xero's id token always carries both, so the emulator does too.
 */
export function defaultUserNames(email: string): { givenName: string; familyName: string } {
  const local = email.slice(0, email.indexOf("@"));
  const [given = "", family = ""] = local.split(/[._+]/, 2);
  return { givenName: capitalise(given) || "Demo", familyName: capitalise(family) || "User" };
}

function optionalName(body: Record<string, unknown>, name: string, fallback: string): Parsed<string> {
  const value = body[name];
  if (value === undefined) return ok(fallback);
  if (typeof value !== "string" || value.trim().length === 0 || value.length > NAME_MAX_LENGTH) {
    return fail(`${name} must be a non-empty string of at most ${NAME_MAX_LENGTH} characters, or absent for the default, got ${JSON.stringify(value)}`);
  }
  return ok(value);
}

/** `POST /users`: an email, and optionally the first and last names Xero's id token carries. */
export function parseUserInput(body: Record<string, unknown>): Parsed<UserInput> {
  const email = stringField(body, "email");
  if (!email.ok) return email;
  if (!/^[^@\s]+@[^@\s]+$/.test(email.value)) return fail(`email must be an email address, got ${email.value}`);
  const defaults = defaultUserNames(email.value);
  const givenName = optionalName(body, "givenName", defaults.givenName);
  if (!givenName.ok) return givenName;
  const familyName = optionalName(body, "familyName", defaults.familyName);
  if (!familyName.ok) return familyName;
  return ok({ email: email.value, givenName: givenName.value, familyName: familyName.value });
}

export function parseConsentInput(body: Record<string, unknown>): Parsed<{ userId: string; tenantIds: string[] }> {
  const userId = stringField(body, "userId");
  if (!userId.ok) return userId;
  const tenantIds = stringArray(body, "tenantIds", true);
  if (!tenantIds.ok) return tenantIds;
  return ok({ userId: userId.value, tenantIds: tenantIds.value });
}

export function parseLinkInput(body: Record<string, unknown>): Parsed<{ tenantId: string; keepOtherLinks: boolean }> {
  const tenantId = stringField(body, "tenantId");
  if (!tenantId.ok) return tenantId;
  const keep = body["keepOtherLinks"];
  if (keep !== undefined && typeof keep !== "boolean") return fail(`keepOtherLinks must be true or false, got ${JSON.stringify(keep)}`);
  return ok({ tenantId: tenantId.value, keepOtherLinks: keep === true });
}

export function parseClockInput(body: Record<string, unknown>): Parsed<{ advanceSeconds: number }> {
  const value = body["advanceSeconds"];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    return fail(`advanceSeconds must be a number of seconds >= 0 (the clock only moves forward), got ${JSON.stringify(value)}`);
  }
  return ok({ advanceSeconds: value });
}

export interface FaultInput {
  readonly path: string;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly delayMs: number | undefined;
  readonly delayAfterCommitMs: number | undefined;
  readonly hold: boolean;
  readonly drop: "before" | "after-commit" | undefined;
  readonly count: number;
}

export function parseFaultInput(body: Record<string, unknown>): Parsed<FaultInput> {
  const rawPath = stringField(body, "path");
  if (!rawPath.ok) return rawPath;
  // Accept a full URL too: faults match on the path the server sees.
  let path = rawPath.value;
  if (/^https?:\/\//.test(path)) path = new URL(path).pathname;
  if (!path.startsWith("/")) return fail(`path must start with / (e.g. /identity/connect/token), got ${rawPath.value}`);
  if (path.startsWith("/admin")) return fail(`path must not be an admin path, got ${path}`);
  const status = optionalNonNegative(body, "status", 599);
  if (!status.ok) return status;
  if (status.value !== undefined && status.value < 100) return fail(`status must be 100..599, got ${status.value}`);
  const retryAfterSeconds = optionalNonNegative(body, "retryAfterSeconds", 86_400);
  if (!retryAfterSeconds.ok) return retryAfterSeconds;
  if (retryAfterSeconds.value !== undefined && status.value !== 429) {
    return fail(`retryAfterSeconds is the Retry-After of an injected 429: set status 429 with it, got status ${JSON.stringify(status.value ?? null)}`);
  }
  const delayMs = optionalNonNegative(body, "delayMs", 600_000);
  if (!delayMs.ok) return delayMs;
  const delayAfterCommitMs = optionalNonNegative(body, "delayAfterCommitMs", 600_000);
  if (!delayAfterCommitMs.ok) return delayAfterCommitMs;
  const hold = body["hold"] ?? false;
  if (typeof hold !== "boolean") return fail(`hold must be true or false, got ${JSON.stringify(hold)}`);
  const drop = body["drop"];
  if (drop !== undefined && drop !== "before" && drop !== "after-commit") {
    return fail(`drop must be "before" or "after-commit", got ${JSON.stringify(drop)}`);
  }
  const count = body["count"];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) return fail(`count must be a whole number >= 1, got ${JSON.stringify(count)}`);
  if (status.value === undefined && delayMs.value === undefined && delayAfterCommitMs.value === undefined && !hold && drop === undefined) {
    return fail("a fault needs at least one of status, delayMs, delayAfterCommitMs, hold or drop");
  }
  if (delayAfterCommitMs.value !== undefined && (status.value !== undefined || drop !== undefined)) {
    return fail("delayAfterCommitMs delays the answer to work that was done: it cannot go with status (no work is done) or drop (no answer is sent)");
  }
  if (hold && delayMs.value !== undefined) return fail("a fault may set delayMs or hold, not both");
  if (status.value !== undefined && drop !== undefined) return fail("a fault may set status or drop, not both");
  return ok({ path, status: status.value, retryAfterSeconds: retryAfterSeconds.value, delayMs: delayMs.value, delayAfterCommitMs: delayAfterCommitMs.value, hold, drop, count });
}
