import { DEFAULT_TOKEN_POLICY, type RefreshStarted, type TokenPolicy, type TokenSetRecord } from "./token-set-record";

/**
 * What to do for a consumer that wants an access token, decided from the stored record alone (no
 * I/O), so every rule of "never lose a token set" is tested here and locked-refresh.ts only carries it out.
 */
export type VendDecision =
  /** The cached access token is good for longer than the reuse margin. */
  | { readonly kind: "use-cached"; readonly accessToken: string; readonly expiresAt: Date }
  /**
   * Refresh with the stored refresh token. `resuming` is set when a previous holder recorded a refresh
   * of this very token and never wrote its answer: Xero may have rotated it, and sending it again within
   * the grace replaces the lost replacement.
   */
  | { readonly kind: "refresh"; readonly refreshToken: string; readonly resuming?: RefreshStarted }
  /** Nothing stored yet: the connection was declared but nobody consented. */
  | { readonly kind: "not-connected" }
  /** No stored token can work again. `recorded` says whether the record already says so. */
  | { readonly kind: "needs-consent"; readonly reason: string; readonly recorded: boolean };

export interface VendRequest {
  /** Refresh even when the cached access token is still good (`refresh --due`, keepAlive). @default false */
  readonly forceRefresh?: boolean;
}

export function decideVend(
  record: TokenSetRecord,
  now: Date,
  fingerprintOfStored: string | undefined,
  request: VendRequest = {},
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
): VendDecision {
  if (record.needsConsent !== undefined) return { kind: "needs-consent", reason: record.needsConsent.reason, recorded: true };
  const tokenSet = record.tokenSet;
  if (tokenSet === undefined) return { kind: "not-connected" };

  const started = record.refreshStarted;
  if (started !== undefined && started.fingerprint === fingerprintOfStored) {
    // A refresh of the stored token began and its answer was never written. Resolve it before handing
    // out anything: the grace for the old token runs from the rotation, which is no earlier than this.
    return { kind: "refresh", refreshToken: tokenSet.refreshToken, resuming: started };
  }

  const { accessToken, accessTokenExpiresAt } = tokenSet;
  const cachedIsGood =
    accessToken !== undefined &&
    accessTokenExpiresAt !== undefined &&
    accessTokenExpiresAt.getTime() - now.getTime() > policy.accessTokenReuseMarginMs;
  if (cachedIsGood && request.forceRefresh !== true) return { kind: "use-cached", accessToken, expiresAt: accessTokenExpiresAt };

  const expiresAt = tokenSet.refreshTokenIssuedAt.getTime() + policy.refreshTokenLifetimeMs;
  if (now.getTime() >= expiresAt) {
    return {
      kind: "needs-consent",
      reason: `the refresh token was issued at ${tokenSet.refreshTokenIssuedAt.toISOString()} and went unused until it expired at ${new Date(expiresAt).toISOString()} (Xero's 60-day limit)`,
      recorded: false,
    };
  }
  return { kind: "refresh", refreshToken: tokenSet.refreshToken };
}

/** When a resumed refresh can no longer count on Xero's grace for the old token. */
export function graceEndsAt(started: RefreshStarted, policy: TokenPolicy = DEFAULT_TOKEN_POLICY): Date {
  return new Date(started.startedAt.getTime() + policy.refreshGraceMs);
}
