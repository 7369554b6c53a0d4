import type { EmulatorClock } from "./clock";
import { newHandle, type EmulatorRandom } from "./random";

/**
 * Authorization codes, refresh tokens and the scopes each user has granted each app. Decisions
 * about whether a code or refresh token may be used live in token-rules.ts as pure functions.
 */

/** One sign-in: what ends up in `auth_time`, `authentication_event_id`, `global_session_id`, `sid`. */
export interface AuthSession {
  readonly userId: string;
  readonly authTime: Date;
  readonly authEventId: string;
  readonly globalSessionId: string;
  readonly sid: string;
}

export interface AuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain" | undefined;
  readonly nonce: string | undefined;
  readonly session: AuthSession;
  readonly createdAt: Date;
  redeemed: boolean;
}

export interface RefreshToken {
  readonly handle: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly session: AuthSession;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was first exchanged; from then on only the reuse grace lets it work. */
  consumedAt: Date | undefined;
  /** The handle issued by the latest exchange of this token. */
  successor: string | undefined;
  revoked: boolean;
}

export const REFRESH_TOKEN_LIFETIME_SECONDS = 60 * 24 * 60 * 60;
export const REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30 * 60;

export class TokenStore {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly grants = new Map<string, string[]>();

  constructor(
    private readonly clock: EmulatorClock,
    private readonly random: EmulatorRandom,
  ) {}

  /** What the user has granted the app so far (empty after revocation). */
  grantedScopes(clientId: string, userId: string): readonly string[] {
    return this.grants.get(grantKey(clientId, userId)) ?? [];
  }

  /** Scopes are additive across consents: returns everything the user has now granted the app. */
  grantScopes(clientId: string, userId: string, scopes: readonly string[]): string[] {
    const key = grantKey(clientId, userId);
    const merged = [...new Set([...(this.grants.get(key) ?? []), ...scopes])];
    this.grants.set(key, merged);
    return merged;
  }

  issueCode(input: Omit<AuthorizationCode, "code" | "createdAt" | "redeemed">): AuthorizationCode {
    const record: AuthorizationCode = { ...input, code: newHandle(this.random), createdAt: this.clock.now(), redeemed: false };
    this.codes.set(record.code, record);
    return record;
  }

  findCode(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }

  issueRefreshToken(input: { clientId: string; scopes: readonly string[]; session: AuthSession }): RefreshToken {
    const now = this.clock.now();
    const record: RefreshToken = {
      ...input,
      handle: newHandle(this.random),
      createdAt: now,
      // Sliding expiry: every exchange issues a token that lives 60 days from its own issue.
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_SECONDS * 1000),
      consumedAt: undefined,
      successor: undefined,
      revoked: false,
    };
    this.refreshTokens.set(record.handle, record);
    return record;
  }

  findRefreshToken(handle: string): RefreshToken | undefined {
    return this.refreshTokens.get(handle);
  }

  /**
   * Exchanges `old` for a new refresh token. A reuse within the grace replaces the unused
   * successor, so one token set never has two live heads.
   */
  rotate(old: RefreshToken): RefreshToken {
    const now = this.clock.now();
    if (old.successor !== undefined) {
      const previous = this.refreshTokens.get(old.successor);
      if (previous !== undefined) previous.revoked = true;
    }
    const next = this.issueRefreshToken({ clientId: old.clientId, scopes: old.scopes, session: old.session });
    old.consumedAt ??= now;
    old.successor = next.handle;
    return next;
  }

  /** Revocation ends the whole grant: every refresh token of that user for that app, and its scopes. */
  revokeGrant(clientId: string, userId: string): void {
    for (const token of this.refreshTokens.values()) {
      if (token.clientId === clientId && token.session.userId === userId) token.revoked = true;
    }
    this.grants.delete(grantKey(clientId, userId));
  }
}

function grantKey(clientId: string, userId: string): string {
  return `${clientId}\u0000${userId}`;
}
