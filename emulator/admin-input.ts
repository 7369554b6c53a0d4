import { findRedirectUriProblem } from "./redirect-uris";
import { BROAD_SCOPES, isKnownScope } from "./scopes";
import type { AppKind, TenantType } from "./state";

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
}

const KINDS: readonly AppKind[] = ["web", "pkce", "custom_connection"];

export function parseAppInput(body: Record<string, unknown>): Parsed<AppInput> {
  const kind = body["kind"];
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    return fail(`kind must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  const name = stringField(body, "name");
  if (!name.ok) return name;
  const scopes = stringArray(body, "scopes", true);
  if (!scopes.ok) return scopes;
  for (const [i, scope] of scopes.value.entries()) {
    if (!isKnownScope(scope)) return fail(`scopes[${i}] is not a Xero scope, got ${scope}`);
    // The portal has not offered broad scopes to apps created since 2 March 2026.
    if (BROAD_SCOPES.has(scope) && body["legacyScopes"] !== true) {
      return fail(`scopes[${i}] is a broad scope new apps cannot hold (use granular scopes, or legacyScopes: true for an older app), got ${scope}`);
    }
  }
  const redirectUris = stringArray(body, "redirectUris", false);
  if (!redirectUris.ok) return redirectUris;
  if (kind === "custom_connection") {
    if (redirectUris.value.length > 0) return fail("redirectUris must be empty for a custom_connection app");
    if (scopes.value.length === 0) return fail("scopes must name at least one scope for a custom_connection app");
  } else {
    if (redirectUris.value.length === 0) return fail(`redirectUris must hold at least one URI for a ${kind} app`);
    const problem = findRedirectUriProblem(redirectUris.value);
    if (problem !== undefined) return fail(problem);
  }
  return ok({ kind: kind as AppKind, name: name.value, scopes: [...new Set(scopes.value)], redirectUris: redirectUris.value });
}

export function parseOrgInput(body: Record<string, unknown>): Parsed<{ name: string; type: TenantType }> {
  const name = stringField(body, "name");
  if (!name.ok) return name;
  const type = body["type"] ?? "ORGANISATION";
  if (type !== "ORGANISATION" && type !== "PRACTICE") return fail(`type must be ORGANISATION or PRACTICE, got ${JSON.stringify(type)}`);
  return ok({ name: name.value, type });
}

export function parseUserInput(body: Record<string, unknown>): Parsed<{ email: string }> {
  const email = stringField(body, "email");
  if (!email.ok) return email;
  if (!/^[^@\s]+@[^@\s]+$/.test(email.value)) return fail(`email must be an email address, got ${email.value}`);
  return ok({ email: email.value });
}

export function parseConsentInput(body: Record<string, unknown>): Parsed<{ userId: string; tenantIds: string[] }> {
  const userId = stringField(body, "userId");
  if (!userId.ok) return userId;
  const tenantIds = stringArray(body, "tenantIds", true);
  if (!tenantIds.ok) return tenantIds;
  return ok({ userId: userId.value, tenantIds: tenantIds.value });
}

export function parseLinkInput(body: Record<string, unknown>): Parsed<{ tenantId: string }> {
  const tenantId = stringField(body, "tenantId");
  return tenantId.ok ? ok({ tenantId: tenantId.value }) : tenantId;
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
  readonly delayMs: number | undefined;
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
  const delayMs = optionalNonNegative(body, "delayMs", 600_000);
  if (!delayMs.ok) return delayMs;
  const drop = body["drop"];
  if (drop !== undefined && drop !== "before" && drop !== "after-commit") {
    return fail(`drop must be "before" or "after-commit", got ${JSON.stringify(drop)}`);
  }
  const count = body["count"];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) return fail(`count must be a whole number >= 1, got ${JSON.stringify(count)}`);
  if (status.value === undefined && delayMs.value === undefined && drop === undefined) {
    return fail("a fault needs at least one of status, delayMs or drop");
  }
  if (status.value !== undefined && drop !== undefined) return fail("a fault may set status or drop, not both");
  return ok({ path, status: status.value, delayMs: delayMs.value, drop, count });
}
