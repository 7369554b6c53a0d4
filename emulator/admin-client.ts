import type { RequestLogEntry } from "./request-log";
import type { XeroConnection } from "./connection-view";
import type { AppTier } from "./tiers";

/**
 * A typed client for the emulator's admin API, over real HTTP (global fetch), so tests and tools
 * drive the emulator exactly as a separate process would.
 */
export type AdminAppKind = "web" | "pkce" | "custom_connection";

export interface CreateAppInput {
  kind: AdminAppKind;
  name: string;
  scopes: string[];
  /** Required for web and pkce apps; must be absent or empty for a custom_connection. */
  redirectUris?: string[];
  /**
   * Allow broad scopes (accounting.transactions…), as an app created before 2 March 2026 (Custom
   * Connection: 29 April 2026) could hold.
   * @default true when the emulator clock is before that date, else false
   */
  legacyScopes?: boolean;
  /** Web and pkce only: caps connected organisations. @default the emulator's defaultAppTier ("starter") */
  tier?: AppTier;
  /** Web only: a Xero App Store app, which may use client credentials for marketplace.billing. @default false */
  appStore?: boolean;
}

/** A portal edit (`PATCH /apps/{clientId}`); at least one field. */
export interface UpdateAppInput {
  /** Changing a Custom Connection's scopes deactivates it until it is linked again. */
  scopes?: string[];
  /** Web and pkce only. */
  redirectUris?: string[];
  /** Web and pkce only. */
  tier?: AppTier;
  /** Custom Connection only: move it to this organisation; it is inactive until linked again. */
  tenantId?: string;
}

export interface FaultSpec {
  /** Server path, e.g. "/identity/connect/token" or "/api/connections" (a full URL is accepted too). */
  path: string;
  status?: number;
  /** With status 429: the `Retry-After` header in whole seconds. @default 1 */
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Answer only this long after the work is committed (a refresh token rotated): a slow way back. */
  delayAfterCommitMs?: number;
  /** Hold each request until {@link EmulatorAdminClient.releaseHeldRequests} (or its client goes away). */
  hold?: boolean;
  drop?: "before" | "after-commit";
  count: number;
}

/** A connection as the admin API shows it: the same object GET /connections returns. */
export type AdminConnection = XeroConnection;

export interface AdminAppView {
  clientId: string;
  kind: AdminAppKind;
  name: string;
  scopes: string[];
  redirectUris: string[];
  secrets: { n: number; createdAt: string; valid: boolean }[];
  /** null for a Custom Connection. */
  tier: AppTier | null;
  appStore: boolean;
  /** The organisation of the active Custom Connection link, or null. */
  linkedTenantId: string | null;
  /** Set when a scope or organisation change deactivated a Custom Connection; cleared by link or unlink. */
  awaitingAuthorisation: { tenantId: string; reason: "scopes_changed" | "organisation_changed" } | null;
  connections: (AdminConnection & { userId: string | null })[];
}

/** An admin call the emulator refused: `status` 400/404 and its `{error, message}` body. */
export class EmulatorAdminError extends Error {
  readonly code = "EMULATOR_ADMIN_REJECTED";
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorAdminError";
  }
}

function field<T>(value: unknown, name: string, check: (v: unknown) => boolean, what: string): T {
  const v = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  if (!check(v)) throw new EmulatorAdminError(0, "bad_response", `admin response field ${name} should be ${what}, got ${JSON.stringify(v)}`);
  return v as T;
}
const isString = (v: unknown): boolean => typeof v === "string";

export class EmulatorAdminClient {
  private readonly baseUrl: string;

  constructor(adminUrl: string) {
    this.baseUrl = adminUrl.replace(/\/+$/, "");
  }

  async createApp(input: CreateAppInput): Promise<{ clientId: string; clientSecret?: string }> {
    const body = await this.call("POST", "/apps", input);
    const clientId = field<string>(body, "clientId", isString, "a string");
    const secret = field<string | undefined>(body, "clientSecret", (v) => v === undefined || isString(v), "a string or absent");
    return secret === undefined ? { clientId } : { clientId, clientSecret: secret };
  }

  /** The app as the portal shows it (no secret values), with its live connections. */
  async getApp(clientId: string): Promise<AdminAppView> {
    const body = await this.call("GET", `/apps/${encodeURIComponent(clientId)}`);
    field<string>(body, "clientId", isString, "a string");
    return body as AdminAppView;
  }

  /** Edits the app as the portal would; answers the app as `getApp` shows it. */
  async updateApp(clientId: string, changes: UpdateAppInput): Promise<AdminAppView> {
    const body = await this.call("PATCH", `/apps/${encodeURIComponent(clientId)}`, changes);
    field<string>(body, "clientId", isString, "a string");
    return body as AdminAppView;
  }

  async addSecret(clientId: string): Promise<{ clientSecret: string; n: number }> {
    const body = await this.call("POST", `/apps/${encodeURIComponent(clientId)}/secrets`);
    return {
      clientSecret: field<string>(body, "clientSecret", isString, "a string"),
      n: field<number>(body, "n", (v) => typeof v === "number", "a number"),
    };
  }

  /** Deletes secret number `n` (1-based, in generation order). */
  /** The portal's "Delete app": the client id is unknown from now on and its connections end. */
  async deleteApp(clientId: string): Promise<void> {
    await this.call("DELETE", `/apps/${encodeURIComponent(clientId)}`);
  }

  async deleteSecret(clientId: string, n: number): Promise<void> {
    await this.call("DELETE", `/apps/${encodeURIComponent(clientId)}/secrets/${n}`);
  }

  /** `countryCode` (ISO 3166 alpha-2, default "NZ") matters only to Custom Connections: AU, NZ, GB and US. */
  async createOrg(input: { name: string; type?: "ORGANISATION" | "PRACTICE"; countryCode?: string }): Promise<{ tenantId: string }> {
    return { tenantId: field<string>(await this.call("POST", "/orgs", input), "tenantId", isString, "a string") };
  }

  /**
   * Completes a Custom Connection's emailed authorisation to one organisation. `keepOtherLinks`
   * adds the link beside the app's others (Xero never shows more than one: a test of that case).
   */
  async link(clientId: string, tenantId: string, options: { keepOtherLinks?: boolean } = {}): Promise<AdminConnection> {
    const body = await this.call("POST", `/apps/${encodeURIComponent(clientId)}/link`, { tenantId, ...(options.keepOtherLinks === true ? { keepOtherLinks: true } : {}) });
    field<string>(body, "id", isString, "a string");
    return body as AdminConnection;
  }

  async unlink(clientId: string): Promise<void> {
    await this.call("DELETE", `/apps/${encodeURIComponent(clientId)}/link`);
  }

  /** Names default to the first two parts of the email's local part (`ada.lovelace@…` → Ada Lovelace; `ada@…` → Ada User). */
  async createUser(input: { email: string; givenName?: string; familyName?: string }): Promise<{ userId: string }> {
    return { userId: field<string>(await this.call("POST", "/users", input), "userId", isString, "a string") };
  }

  /** Signs the browser in as `userId`, ticking `tenantIds` on every later consent. */
  async consent(input: { userId: string; tenantIds: string[] }): Promise<void> {
    await this.call("POST", "/consent", input);
  }

  /** The user revokes the app in Xero: its grant (refresh tokens, scopes) and that user's connections to it end. */
  async revokeUserGrant(userId: string, clientId: string): Promise<void> {
    await this.call("DELETE", `/users/${encodeURIComponent(userId)}/apps/${encodeURIComponent(clientId)}`);
  }

  /** An organisation disconnects the app in Xero: every connection of the app to that organisation ends; grants stay. */
  async disconnectOrganisation(tenantId: string, clientId: string): Promise<void> {
    await this.call("DELETE", `/orgs/${encodeURIComponent(tenantId)}/apps/${encodeURIComponent(clientId)}`);
  }

  /** Moves the emulator clock forward; resolves to the new emulator time. */
  async advanceClock(seconds: number): Promise<Date> {
    return new Date(field<string>(await this.call("POST", "/clock", { advanceSeconds: seconds }), "now", isString, "a string"));
  }

  async now(): Promise<Date> {
    return new Date(field<string>(await this.call("GET", "/clock"), "now", isString, "a string"));
  }

  /** Sets the latency of every Xero-facing answer (0: none). */
  async setLatency(latencyMs: number): Promise<void> {
    await this.call("POST", "/latency", { latencyMs });
  }

  /** The latency new requests get, and how many requests are waiting out theirs right now. */
  async latency(): Promise<{ latencyMs: number; waiting: number }> {
    const body = await this.call("GET", "/latency");
    const isNumber = (v: unknown): boolean => typeof v === "number";
    return { latencyMs: field<number>(body, "latencyMs", isNumber, "a number"), waiting: field<number>(body, "waiting", isNumber, "a number") };
  }

  async injectFault(fault: FaultSpec): Promise<void> {
    await this.call("POST", "/faults", fault);
  }

  /** Forgets every fault still to fire; resolves to how many there were. */
  async clearFaults(): Promise<number> {
    return field<number>(await this.call("DELETE", "/faults"), "cleared", (value): value is number => typeof value === "number", "a number");
  }

  /** How many requests a `hold` fault is holding right now. */
  async heldRequests(): Promise<number> {
    return field<number>(await this.call("GET", "/faults"), "held", (value): value is number => typeof value === "number", "a number");
  }

  /** Lets every held request go on; resolves to how many there were. */
  async releaseHeldRequests(): Promise<number> {
    return field<number>(await this.call("POST", "/faults/release"), "released", (value): value is number => typeof value === "number", "a number");
  }

  async requests(): Promise<RequestLogEntry[]> {
    const body = await this.call("GET", "/requests");
    if (!Array.isArray(body)) throw new EmulatorAdminError(0, "bad_response", "admin GET /requests should answer an array");
    return body as RequestLogEntry[];
  }

  /** How many requests to the Xero-facing endpoints are being served now (received, not yet answered or dropped). */
  async inflightRequests(): Promise<number> {
    return field<number>(await this.call("GET", "/requests/inflight"), "inflight", (value): value is number => typeof value === "number", "a number");
  }

  async clearRequests(): Promise<void> {
    await this.call("DELETE", "/requests");
  }

  private async call(method: string, path: string, json?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: json === undefined ? {} : { "content-type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await response.text();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new EmulatorAdminError(response.status, "bad_response", `admin ${method} ${path} answered ${response.status} with a non-JSON body`);
      }
    }
    if (!response.ok) {
      const error = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
      throw new EmulatorAdminError(
        response.status,
        typeof error["error"] === "string" ? error["error"] : "http_error",
        `emulator admin ${method} ${path} failed with ${response.status}: ${typeof error["message"] === "string" ? error["message"] : text}`,
      );
    }
    return body;
  }
}
