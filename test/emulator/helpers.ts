import { createHash, randomBytes } from "node:crypto";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";

/** Test helpers that speak plain HTTP to the emulator (no project client code). */

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function toResult(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function basic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
}

export async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> {
  return toResult(
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    }),
  );
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return toResult(await fetch(url, { headers, redirect: "manual" }));
}

export async function del(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return toResult(await fetch(url, { method: "DELETE", headers }));
}

export function bearer(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, payload] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>,
  };
}

export const REDIRECT_URI = "https://app.example.com/callback";

/** A running emulator with one signed-in user who ticks two organisations. */
export interface Fixture {
  emulator: RunningEmulator;
  userId: string;
  tenantIds: [string, string];
  tokenUrl: string;
  authorizeUrl: string;
}

export async function startFixture(options: EmulatorOptions = {}): Promise<Fixture> {
  const emulator = await startEmulator({ autoConsent: true, ...options });
  const { admin } = emulator;
  const { userId } = await admin.createUser({ email: "ada@example.com" });
  const first = await admin.createOrg({ name: "Demo Company (NZ)" });
  const second = await admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" });
  await admin.consent({ userId, tenantIds: [first.tenantId, second.tenantId] });
  return {
    emulator,
    userId,
    tenantIds: [first.tenantId, second.tenantId],
    tokenUrl: `${emulator.identityUrl}/connect/token`,
    authorizeUrl: `${emulator.loginUrl}/identity/connect/authorize`,
  };
}

export async function createWebApp(fixture: Fixture, scopes = ["accounting.invoices", "accounting.settings.read"]): Promise<{ clientId: string; clientSecret: string }> {
  const app = await fixture.emulator.admin.createApp({ kind: "web", name: "Web app", scopes, redirectUris: [REDIRECT_URI] });
  if (app.clientSecret === undefined) throw new Error("web app without a secret");
  return { clientId: app.clientId, clientSecret: app.clientSecret };
}

export async function createCustomConnection(fixture: Fixture, scopes = ["accounting.invoices", "accounting.contacts.read"]): Promise<{ clientId: string; clientSecret: string }> {
  const app = await fixture.emulator.admin.createApp({ kind: "custom_connection", name: "Custom Connection", scopes });
  if (app.clientSecret === undefined) throw new Error("custom connection without a secret");
  return { clientId: app.clientId, clientSecret: app.clientSecret };
}

/** Runs authorize (auto-consent) and returns the redirect's query parameters. */
export async function authorize(fixture: Fixture, params: Record<string, string>): Promise<URLSearchParams> {
  const url = new URL(fixture.authorizeUrl);
  for (const [k, v] of Object.entries({ response_type: "code", redirect_uri: REDIRECT_URI, ...params })) url.searchParams.set(k, v);
  const result = await get(url.toString());
  if (result.status !== 302) throw new Error(`authorize answered ${result.status}: ${result.text}`);
  return new URL(result.headers.get("location") ?? "").searchParams;
}

export async function codeFor(fixture: Fixture, clientId: string, scope: string, extra: Record<string, string> = {}): Promise<string> {
  const params = await authorize(fixture, { client_id: clientId, scope, state: "s1", ...extra });
  const code = params.get("code");
  if (code === null) throw new Error(`authorize redirected without a code: ${params.toString()}`);
  return code;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
  expires_in: number;
  token_type: string;
}

/** Authorization code → token set for a web app with Basic auth; fails the test on any error. */
export async function userTokens(fixture: Fixture, app: { clientId: string; clientSecret: string }, scope: string): Promise<TokenSet> {
  const code = await codeFor(fixture, app.clientId, scope);
  const result = await postForm(fixture.tokenUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }, { authorization: basic(app.clientId, app.clientSecret) });
  if (result.status !== 200) throw new Error(`token exchange answered ${result.status}: ${result.text}`);
  return result.json as TokenSet;
}

export async function refresh(fixture: Fixture, app: { clientId: string; clientSecret: string }, refreshToken: string): Promise<HttpResult> {
  return postForm(fixture.tokenUrl, { grant_type: "refresh_token", refresh_token: refreshToken }, { authorization: basic(app.clientId, app.clientSecret) });
}

export async function clientCredentials(fixture: Fixture, app: { clientId: string; clientSecret: string }, scope?: string): Promise<HttpResult> {
  return postForm(fixture.tokenUrl, { grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) }, { authorization: basic(app.clientId, app.clientSecret) });
}
