import { ConnectionPolicy } from "../../contract/connection";

/**
 * What a consented connection keeps between runs: its token set (the refresh and access tokens live
 * only in the document's sealed secrets envelope; the times beside them are plain outputs), the
 * write-ahead record of a refresh in progress, and whether the user must consent again.
 *
 * The record is the unit the token vending protocol (locked-refresh.ts) reads and compare-and-swaps;
 * how it maps onto a state document's outputs is the connection kind's contract.
 */

/** A token set as stored after a consent or a refresh. */
export interface StoredTokenSet {
  /** Rotates on every refresh: exactly one stored copy may exist, or two holders break each other. */
  readonly refreshToken: string;
  /** When Xero issued this refresh token: its 60-day sliding expiry counts from here. */
  readonly refreshTokenIssuedAt: Date;
  /** The last access token, reused by every consumer until shortly before it expires. */
  readonly accessToken?: string;
  readonly accessTokenExpiresAt?: Date;
  /** The scopes Xero granted, as its token response listed them. */
  readonly scopes: readonly string[];
}

/**
 * The write-ahead record: a refresh of the refresh token with this fingerprint started at this time.
 * Written before the token endpoint is called and cleared by the write of its answer, so a holder
 * that finds it knows the previous one died (or lost the answer) after Xero may have rotated the token.
 */
export interface RefreshStarted {
  /** Fingerprint (keyed hash, never the token) of the refresh token that was sent. */
  readonly fingerprint: string;
  readonly startedAt: Date;
}

/** Set when no stored token can be used again: only a new consent (`cdktf-xero connect`) helps. */
export interface NeedsConsent {
  readonly reason: string;
  readonly since: Date;
}

export interface TokenSetRecord {
  readonly tokenSet?: StoredTokenSet;
  readonly refreshStarted?: RefreshStarted;
  readonly needsConsent?: NeedsConsent;
}

/** Xero's token rules (../shared/xero-platform.md) and how close to them cdktf-xero goes. */
export interface TokenPolicy {
  /** A cached access token is handed out until this long before it expires. @default 5 minutes */
  readonly accessTokenReuseMarginMs: number;
  /** An unused refresh token expires this long after it was issued (sliding). @default 60 days (Xero) */
  readonly refreshTokenLifetimeMs: number;
  /** After a rotation Xero accepts the old refresh token again for this long. @default 30 minutes (Xero) */
  readonly refreshGraceMs: number;
}

const MINUTE_MS = 60_000;

export const DEFAULT_TOKEN_POLICY: TokenPolicy = Object.freeze({
  accessTokenReuseMarginMs: 5 * MINUTE_MS,
  refreshTokenLifetimeMs: ConnectionPolicy.refreshTokenLifetimeSeconds * 1000,
  refreshGraceMs: 30 * MINUTE_MS,
});
