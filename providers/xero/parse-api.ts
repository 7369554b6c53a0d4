import type { CdktfXeroError } from "../errors";
import {
  XeroConnectionNotFoundError,
  XeroForbiddenError,
  XeroUnauthorizedError,
  type XeroApiProblem,
} from "./errors";
import type { RawResponse } from "./http";
import {
  isObject,
  rateLimitedError,
  readJson,
  serverError,
  stringField,
  unexpectedResponse,
  type ParseContext,
} from "./parse-common";

/** `ORGANISATION` or `PRACTICE` today; other values are passed through rather than rejected. */
export type XeroTenantType = "ORGANISATION" | "PRACTICE" | (string & {});

/**
 * One entry of GET /connections: the link between an app (via one consent, `authEventId`) and a
 * tenant. Timestamps are kept as Xero writes them (UTC, seven fractional digits, no `Z`); see
 * {@link parseXeroTimestamp}.
 */
export interface XeroConnection {
  /** The connection id: what DELETE /connections/{id} takes (not the tenant id). */
  readonly id: string;
  readonly authEventId: string;
  readonly tenantId: string;
  readonly tenantType: XeroTenantType;
  readonly tenantName: string;
  readonly createdDateUtc: string;
  readonly updatedDateUtc: string;
}

/** GET /connections: the list, or the typed error. Pure. */
export function parseConnectionsResponse(response: RawResponse, context: ParseContext): XeroConnection[] {
  if (response.status !== 200) throw apiError(response, context);
  const body = readJson(response, context, "a JSON array of connections");
  if (!Array.isArray(body)) throw unexpectedResponse(response, context, "a JSON array of connections");
  return body.map((entry, index) => {
    const connection = isObject(entry) ? readConnection(entry) : undefined;
    if (connection === undefined) {
      throw unexpectedResponse(
        response,
        context,
        `connection [${index}] with string id, authEventId, tenantId, tenantType, tenantName, createdDateUtc, updatedDateUtc`,
      );
    }
    return connection;
  });
}

/** DELETE /connections/{id}: 204 (or 200) is success. Pure. */
export function parseDeleteConnectionResponse(response: RawResponse, context: ParseContext & { connectionId: string }): void {
  if (response.status === 204 || response.status === 200) return;
  if (response.status === 404) {
    throw new XeroConnectionNotFoundError(
      `Xero has no connection ${context.connectionId} for this access token (HTTP 404). It was already ` +
        `deleted, or the id is a tenant id: DELETE takes the connection's "id" from GET /connections.`,
      { status: 404, problem: readProblem(response, context) },
      { context: { operation: context.operation, clientId: context.clientId, connectionId: context.connectionId } },
    );
  }
  throw apiError(response, context);
}

/** The typed error for a Xero API (not identity) error response. Pure. */
export function apiError(response: RawResponse, context: ParseContext): CdktfXeroError {
  if (response.status === 429) return rateLimitedError(response, context);
  if (response.status >= 500) return serverError(response, context);
  const options = { context: { operation: context.operation, clientId: context.clientId } };
  if (response.status === 401) {
    const problem = readProblem(response, context);
    return new XeroUnauthorizedError(
      `Xero refused the access token for ${context.operation} (HTTP 401${said(problem)}): it is missing, expired ` +
        `(access tokens last 30 minutes) or revoked. Get a new access token and try again.`,
      { status: 401, problem },
      options,
    );
  }
  if (response.status === 403) {
    const problem = readProblem(response, context);
    return new XeroForbiddenError(
      `Xero refused ${context.operation} (HTTP 403${said(problem)}): the access token is valid but may not use ` +
        `this organisation or resource. Check the connection's tenant and the app's scopes.`,
      { status: 403, problem },
      options,
    );
  }
  return unexpectedResponse(response, context, "HTTP 200, 401, 403 or 429");
}

/**
 * Xero's problem body, in either casing it uses (`{"Title","Detail","Instance"}` on 401,
 * `{"title","detail","instance"}` on 403). Empty when the body is not one. Pure.
 */
export function parseApiProblem(body: unknown): XeroApiProblem {
  if (!isObject(body)) return {};
  const pick = (name: string): string | undefined =>
    stringField(body, name) ?? stringField(body, name.charAt(0).toUpperCase() + name.slice(1));
  const title = pick("title");
  const detail = pick("detail");
  const instance = pick("instance");
  return {
    ...(title === undefined ? {} : { title }),
    ...(detail === undefined ? {} : { detail }),
    ...(instance === undefined ? {} : { instance }),
  };
}

/**
 * A Xero timestamp (`2019-12-07T18:46:19.5165400`, UTC without `Z`) as a Date (millisecond
 * precision). Undefined when it is not one.
 */
export function parseXeroTimestamp(value: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z)?$/.exec(value);
  if (match === null) return undefined;
  const millis = (match[2] ?? "").padEnd(3, "0").slice(0, 3);
  const date = new Date(`${match[1]}.${millis}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function readConnection(entry: Record<string, unknown>): XeroConnection | undefined {
  const fields = ["id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"] as const;
  const values: Partial<Record<(typeof fields)[number], string>> = {};
  for (const field of fields) {
    const value = entry[field];
    // tenantName may legitimately be empty; every other field must have a value.
    if (typeof value !== "string" || (value === "" && field !== "tenantName")) return undefined;
    values[field] = value;
  }
  return values as XeroConnection;
}

/** The problem body, each field redacted: it is server text that ends up in a message. */
function readProblem(response: RawResponse, context: ParseContext): XeroApiProblem {
  let problem: XeroApiProblem;
  try {
    problem = parseApiProblem(JSON.parse(response.bodyText) as unknown);
  } catch {
    return {};
  }
  return Object.fromEntries(
    Object.entries(problem).map(([key, value]) => [key, context.redactor.text(value as string)]),
  ) as XeroApiProblem;
}

function said(problem: XeroApiProblem): string {
  const parts = [problem.title, problem.detail].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? "" : `: ${parts.join(", ")}`;
}
