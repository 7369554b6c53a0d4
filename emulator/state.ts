import { timingSafeEqual } from "node:crypto";
import type { EmulatorClock } from "./clock";
import { newClientId, newClientSecret, newSubject, type EmulatorRandom } from "./random";
import type { AppTier } from "./tiers";

/**
 * The in-memory Xero: apps (as the developer portal holds them), organisations, users, the
 * browser's signed-in user and consent choice, and connections. Callers validate input at the HTTP
 * boundary; this class trusts its arguments and never touches a socket.
 */
export type AppKind = "web" | "pkce" | "custom_connection";
export type TenantType = "ORGANISATION" | "PRACTICE";

export interface ClientSecret {
  /** 1-based position in generation order; the admin API deletes by it. */
  readonly n: number;
  readonly value: string;
  readonly createdAt: Date;
  deleted: boolean;
}

/** Why a Custom Connection waits for its authorising user to follow Xero's email again. */
export interface AwaitingAuthorisation {
  readonly tenantId: string;
  readonly reason: "scopes_changed" | "organisation_changed";
}

export interface App {
  readonly clientId: string;
  readonly kind: AppKind;
  readonly name: string;
  /** Web/PKCE: the API scopes the app may request; Custom Connection: the scopes it was granted. Editable in the portal. */
  scopes: readonly string[];
  redirectUris: readonly string[];
  readonly secrets: ClientSecret[];
  readonly createdAt: Date;
  /** Web/PKCE: the pricing tier that caps connected organisations; undefined for a Custom Connection. */
  tier: AppTier | undefined;
  /** A Xero App Store app (web only): may use client credentials for `marketplace.billing`. */
  readonly appStore: boolean;
  /** Created before broad scopes closed to new apps (or declared so): may hold accounting.transactions… */
  readonly broadScopesAllowed: boolean;
  /** Set when a portal change deactivated a Custom Connection; cleared by the next link. */
  awaitingAuthorisation: AwaitingAuthorisation | undefined;
}

/** A portal edit; each field absent is left as it is. */
export interface AppChanges {
  readonly scopes?: readonly string[];
  readonly redirectUris?: readonly string[];
  readonly tier?: AppTier;
  /** Custom Connection only: the organisation it should connect to. */
  readonly tenantId?: string;
}

export interface Org {
  readonly tenantId: string;
  readonly name: string;
  readonly type: TenantType;
  /** ISO 3166 alpha-2, as Xero's Organisation `CountryCode` (the UK is `GB`). */
  readonly countryCode: string;
  readonly createdAt: Date;
}

export interface User {
  readonly userId: string;
  /** The OIDC `sub`, distinct from `xero_userid` as on Xero. */
  readonly sub: string;
  readonly email: string;
  /** The id token's `given_name` and `family_name` (Xero sends the person's names so, not as `name`). */
  readonly givenName: string;
  readonly familyName: string;
  readonly createdAt: Date;
}

/** Who the browser is signed in as and which organisations they tick on the consent page. */
export interface Consent {
  readonly userId: string;
  readonly tenantIds: readonly string[];
  readonly globalSessionId: string;
  readonly sid: string;
}

export interface Connection {
  readonly id: string;
  readonly clientId: string;
  /** The consenting user; undefined for a Custom Connection's emailed link. */
  readonly userId: string | undefined;
  readonly tenantId: string;
  authEventId: string;
  readonly createdAt: Date;
  updatedAt: Date;
  active: boolean;
}

export interface StateSettings {
  readonly secretOverlap: boolean;
}

export class XeroState {
  readonly apps = new Map<string, App>();
  /** Insertion order is creation order. */
  readonly orgs = new Map<string, Org>();
  readonly users = new Map<string, User>();
  consent: Consent | undefined;
  private readonly connections: Connection[] = [];

  constructor(
    private readonly clock: EmulatorClock,
    private readonly random: EmulatorRandom,
    private readonly settings: StateSettings,
  ) {}

  createApp(input: {
    kind: AppKind;
    name: string;
    scopes: readonly string[];
    redirectUris: readonly string[];
    tier?: AppTier | undefined;
    appStore?: boolean;
    broadScopesAllowed?: boolean;
  }): {
    app: App;
    clientSecret: string | undefined;
  } {
    const app: App = {
      clientId: newClientId(this.random),
      kind: input.kind,
      name: input.name,
      scopes: [...input.scopes],
      redirectUris: [...input.redirectUris],
      secrets: [],
      createdAt: this.clock.now(),
      tier: input.kind === "custom_connection" ? undefined : input.tier,
      appStore: input.appStore ?? false,
      broadScopesAllowed: input.broadScopesAllowed ?? false,
      awaitingAuthorisation: undefined,
    };
    this.apps.set(app.clientId, app);
    // The portal never issues a secret to a PKCE app.
    const clientSecret = app.kind === "pkce" ? undefined : this.addSecret(app).value;
    return { app, clientSecret };
  }

  addSecret(app: App): ClientSecret {
    const secret: ClientSecret = {
      n: app.secrets.length + 1,
      value: newClientSecret(this.random),
      createdAt: this.clock.now(),
      deleted: false,
    };
    app.secrets.push(secret);
    return secret;
  }

  /** False when there is no live secret number `n`. */
  deleteSecret(app: App, n: number): boolean {
    const secret = app.secrets.find((s) => s.n === n && !s.deleted);
    if (secret === undefined) return false;
    secret.deleted = true;
    return true;
  }

  /** Secrets the token endpoint accepts now: all live ones, or only the newest without overlap. */
  validSecrets(app: App): ClientSecret[] {
    const live = app.secrets.filter((s) => !s.deleted);
    if (this.settings.secretOverlap) return live;
    const newest = app.secrets.at(-1);
    return newest !== undefined && !newest.deleted ? [newest] : [];
  }

  isValidSecret(app: App, presented: string): boolean {
    const given = Buffer.from(presented);
    let matched = false;
    for (const secret of this.validSecrets(app)) {
      const expected = Buffer.from(secret.value);
      if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
    }
    return matched;
  }

  createOrg(input: { name: string; type: TenantType; countryCode?: string }): Org {
    const org: Org = {
      tenantId: this.random.uuid(),
      name: input.name,
      type: input.type,
      countryCode: input.countryCode ?? "NZ",
      createdAt: this.clock.now(),
    };
    this.orgs.set(org.tenantId, org);
    return org;
  }

  createUser(input: { email: string; givenName: string; familyName: string }): User {
    const user: User = {
      userId: this.random.uuid(),
      sub: newSubject(this.random),
      email: input.email,
      givenName: input.givenName,
      familyName: input.familyName,
      createdAt: this.clock.now(),
    };
    this.users.set(user.userId, user);
    return user;
  }

  setConsent(input: { userId: string; tenantIds: readonly string[] }): Consent {
    this.consent = {
      userId: input.userId,
      tenantIds: [...new Set(input.tenantIds)],
      globalSessionId: this.random.uuid(),
      sid: this.random.bytes(16).toString("hex").toUpperCase(),
    };
    return this.consent;
  }

  /** The emailed Custom Connection authorisation: exactly one organisation, replacing any earlier link. */
  /**
   * `keepOtherLinks`: the new link joins the app's others instead of replacing them. Xero links a
   * Custom Connection to one organisation; this stands for an answer that breaks that rule, so a
   * client's handling of more than one connection can be tested.
   */
  link(app: App, tenantId: string, options: { readonly keepOtherLinks?: boolean } = {}): Connection {
    if (options.keepOtherLinks !== true) this.unlink(app);
    return this.connect(app.clientId, undefined, tenantId, this.random.uuid());
  }

  /** The portal's disconnect: ends the link and any wait for re-authorisation. False when neither existed. */
  unlink(app: App): boolean {
    let removed = app.awaitingAuthorisation !== undefined;
    app.awaitingAuthorisation = undefined;
    for (const c of this.connections) {
      if (c.clientId === app.clientId && c.userId === undefined && c.active) {
        this.deactivate(c);
        removed = true;
      }
    }
    return removed;
  }

  /**
   * The portal's "Delete app": the client id is unknown from now on (token, authorize and API
   * answer as for any unknown client) and its connections end. False when there was no such app.
   */
  deleteApp(clientId: string): boolean {
    const app = this.apps.get(clientId);
    if (app === undefined) return false;
    for (const c of this.connections) {
      if (c.clientId === clientId && c.active) this.deactivate(c);
    }
    this.apps.delete(clientId);
    return true;
  }

  /**
   * Applies a portal edit. On a Custom Connection, a change of scopes or organisation deactivates
   * the link (xero-platform.md: "deactivates it until re-authorised"): its connection goes inactive
   * and the app awaits the authorising user's next `link`.
   */
  updateApp(app: App, changes: AppChanges): void {
    if (changes.redirectUris !== undefined) app.redirectUris = [...changes.redirectUris];
    if (changes.tier !== undefined && app.kind !== "custom_connection") app.tier = changes.tier;
    const scopesChanged = changes.scopes !== undefined && !sameSet(changes.scopes, app.scopes);
    if (changes.scopes !== undefined) app.scopes = [...changes.scopes];
    if (app.kind !== "custom_connection") return;
    const link = this.connectionsFor(app.clientId, undefined)[0];
    const current = link?.tenantId ?? app.awaitingAuthorisation?.tenantId;
    const orgChanged = changes.tenantId !== undefined && changes.tenantId !== current;
    const target = changes.tenantId ?? current;
    if ((!scopesChanged && !orgChanged) || target === undefined) return;
    if (link !== undefined) this.deactivate(link);
    const reason = orgChanged || app.awaitingAuthorisation?.reason === "organisation_changed" ? "organisation_changed" : "scopes_changed";
    app.awaitingAuthorisation = { tenantId: target, reason };
  }

  /** Organisations with an active connection to the app, whoever connected them. */
  connectedTenantIds(clientId: string): Set<string> {
    return new Set(this.allConnections(clientId).map((c) => c.tenantId));
  }

  /**
   * Records a user's consent for an app to the given tenants. Existing connections to the same
   * tenants are refreshed (new authEventId and updatedDateUtc), keeping their id.
   */
  connectUser(clientId: string, userId: string, tenantIds: readonly string[], authEventId: string): Connection[] {
    return tenantIds.map((tenantId) => this.connect(clientId, userId, tenantId, authEventId));
  }

  /** Active connections an access token sees: the user's for that app, or a Custom Connection's link. */
  connectionsFor(clientId: string, userId: string | undefined): Connection[] {
    return this.connections.filter((c) => c.active && c.clientId === clientId && c.userId === userId);
  }

  findActiveConnection(id: string): Connection | undefined {
    return this.connections.find((c) => c.active && c.id === id);
  }

  disconnect(connection: Connection): void {
    this.deactivate(connection);
  }

  removeUserConnections(clientId: string, userId: string): number {
    const doomed = this.connectionsFor(clientId, userId);
    doomed.forEach((c) => this.deactivate(c));
    return doomed.length;
  }

  /** An organisation's "Disconnect" of an app in Xero: every user's connection of the app to that organisation ends; grants stay. */
  disconnectOrganisation(clientId: string, tenantId: string): number {
    const doomed = this.allConnections(clientId).filter((c) => c.tenantId === tenantId);
    doomed.forEach((c) => this.deactivate(c));
    return doomed.length;
  }

  allConnections(clientId: string): Connection[] {
    return this.connections.filter((c) => c.active && c.clientId === clientId);
  }

  private connect(clientId: string, userId: string | undefined, tenantId: string, authEventId: string): Connection {
    const now = this.clock.now();
    const existing = this.connections.find((c) => c.clientId === clientId && c.userId === userId && c.tenantId === tenantId);
    if (existing !== undefined) {
      existing.active = true;
      existing.authEventId = authEventId;
      existing.updatedAt = now;
      return existing;
    }
    const connection: Connection = {
      id: this.random.uuid(),
      clientId,
      userId,
      tenantId,
      authEventId,
      createdAt: now,
      updatedAt: now,
      active: true,
    };
    this.connections.push(connection);
    return connection;
  }

  private deactivate(connection: Connection): void {
    connection.active = false;
    connection.updatedAt = this.clock.now();
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}
