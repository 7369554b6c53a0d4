import type { RawResponse } from "../../providers/xero/http";
import type { ParseContext } from "../../providers/xero/parse-common";
import type { TokenParseContext, TokenRequestKind } from "../../providers/xero/parse-token";
import { Redactor } from "../../providers/xero/redact";

export const CLIENT_ID = "6E4D953BAAE949D1A1B399307AD58B94";
export const CLIENT_SECRET = "s3cr3t-Client-Secret-value_0123456789";
export const RECEIVED_AT = new Date("2026-01-01T00:00:00Z");

export function json(status: number, body: unknown, headers: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    bodyText: typeof body === "string" ? body : JSON.stringify(body),
  };
}

export function apiContext(operation = "GET /connections", secrets: string[] = []): ParseContext {
  return { operation, clientId: CLIENT_ID, receivedAt: RECEIVED_AT, redactor: new Redactor([CLIENT_SECRET, ...secrets]) };
}

export function tokenContext(kind: TokenRequestKind, extra: Partial<TokenParseContext> = {}): TokenParseContext {
  return { ...apiContext(`the ${kind} token request`), kind, ...extra };
}

/** A JWT-shaped string with the given claims (unsigned: for decode tests only). */
export function unsignedJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", kid: "k1" }): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part(header)}.${part(claims)}.c2lnbmF0dXJl`;
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
