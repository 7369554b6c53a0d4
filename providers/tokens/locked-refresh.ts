import type { Clock } from "../clock";
import type { FailpointName } from "../failpoints";
import type { XeroTokenSet } from "../xero/parse-token";
import { ConnectionNotConsentedError, ConsentRequiredError, type TokenSetLocation } from "./errors";
import { DEFAULT_TOKEN_POLICY, type TokenPolicy, type TokenSetRecord } from "./token-set-record";
import { decideVend, graceEndsAt, type VendDecision, type VendRequest } from "./vend-decision";

/**
 * Hands out access tokens without ever losing the token set (issue 12, "Never lose a token set"):
 * - one refresh at a time: decisions that may refresh are taken again under the document's lock;
 * - every write is a compare-and-swap on the serial read under that lock, so a holder whose lock was
 *   taken over cannot overwrite the newer set its successor wrote;
 * - write ahead: the record says which refresh token is being refreshed before the token endpoint is
 *   called. A holder that dies after Xero rotated the token leaves the record, and the next holder
 *   sends the same token again, which Xero accepts within its 30-minute grace;
 * - `invalid_grant` is never retried: the record says a new consent is needed.
 */

/** The document that holds one token set, as this protocol needs it. */
export interface TokenSetStore {
  readonly location: TokenSetLocation;
  /** The record and the serial it was read at (undefined: no document yet). */
  read(): Promise<{ readonly serial: number | undefined; readonly record: TokenSetRecord }>;
  /** Writes `record` if the document is still at `expectedSerial` (else a StateConflictError); returns the new serial. */
  write(expectedSerial: number | undefined, record: TokenSetRecord): Promise<number>;
  /** Runs `fn` holding the document's lock (across processes and hosts). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** A keyed fingerprint of a refresh token, for the write-ahead record (the token itself is never written there). */
  fingerprint(refreshToken: string): Promise<string>;
}

/** The refresh-token grant (XeroClient.refresh): never re-sent on its own. */
export interface RefreshGrant {
  refresh(refreshToken: string): Promise<XeroTokenSet>;
}

/** Named points of the protocol where a test makes the process die (see the rotation's failpoints). */
export type RefreshFailpoint = FailpointName<"refresh">;

export interface VendOptions extends VendRequest {
  readonly clock: Clock;
  readonly policy?: TokenPolicy;
  readonly failpoints?: (name: RefreshFailpoint) => void;
}

export interface VendedAccessToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** Whether this call refreshed (false: the cached token was handed out). */
  readonly refreshed: boolean;
  /** Whether the refresh resumed one a previous holder started and never finished. */
  readonly resumed: boolean;
  readonly scopes: readonly string[];
}

export async function vendAccessToken(store: TokenSetStore, grant: RefreshGrant, options: VendOptions): Promise<VendedAccessToken> {
  const policy = options.policy ?? DEFAULT_TOKEN_POLICY;
  // Most calls find a good cached token: answer those without taking the lock.
  const unlocked = await decide(store, options, policy);
  if (unlocked.decision.kind === "use-cached") return cached(unlocked.decision, unlocked.record);
  return store.withLock(async () => {
    const { serial, record, decision } = await decide(store, options, policy);
    switch (decision.kind) {
      case "use-cached":
        return cached(decision, record);
      case "not-connected":
        throw new ConnectionNotConsentedError(store.location);
      case "needs-consent":
        if (!decision.recorded) await store.write(serial, { ...record, needsConsent: { reason: decision.reason, since: options.clock.now() } });
        throw new ConsentRequiredError(store.location, decision.reason);
      case "refresh":
        return refreshUnderLock(store, grant, options, policy, serial, record, decision);
    }
  });
}

async function decide(
  store: TokenSetStore,
  options: VendOptions,
  policy: TokenPolicy,
): Promise<{ serial: number | undefined; record: TokenSetRecord; decision: VendDecision }> {
  const { serial, record } = await store.read();
  const stored = record.tokenSet === undefined || record.refreshStarted === undefined ? undefined : await store.fingerprint(record.tokenSet.refreshToken);
  return { serial, record, decision: decideVend(record, options.clock.now(), stored, options, policy) };
}

function cached(decision: Extract<VendDecision, { kind: "use-cached" }>, record: TokenSetRecord): VendedAccessToken {
  return { accessToken: decision.accessToken, expiresAt: decision.expiresAt, refreshed: false, resumed: false, scopes: record.tokenSet?.scopes ?? [] };
}

async function refreshUnderLock(
  store: TokenSetStore,
  grant: RefreshGrant,
  options: VendOptions,
  policy: TokenPolicy,
  serial: number | undefined,
  record: TokenSetRecord,
  decision: Extract<VendDecision, { kind: "refresh" }>,
): Promise<VendedAccessToken> {
  const failpoint = options.failpoints ?? (() => undefined);
  // A resumed refresh keeps the first start: Xero's grace runs from a rotation no earlier than it.
  const refreshStarted = decision.resuming ?? { fingerprint: await store.fingerprint(decision.refreshToken), startedAt: options.clock.now() };
  const recordedSerial = await store.write(serial, { ...record, refreshStarted });
  failpoint("refresh-recorded");

  let answer: XeroTokenSet;
  try {
    answer = await grant.refresh(decision.refreshToken);
  } catch (error) {
    // Loaded only when a refresh failed: a cached token never gets here.
    const { XeroInvalidGrantError } = require("../xero/errors") as typeof import("../xero/errors");
    if (!(error instanceof XeroInvalidGrantError)) throw error; // the record stays: the next holder resumes
    const reason =
      decision.resuming !== undefined && options.clock.now() >= graceEndsAt(decision.resuming, policy)
        ? `a refresh started at ${decision.resuming.startedAt.toISOString()} never recorded Xero's answer, and Xero refused the old refresh token after its 30-minute grace (invalid_grant)`
        : "Xero refused the stored refresh token (invalid_grant): the user revoked the consent, the connection was removed, or another copy of the token set refreshed it";
    await store.write(recordedSerial, { tokenSet: record.tokenSet, needsConsent: { reason, since: options.clock.now() } });
    throw new ConsentRequiredError(store.location, reason);
  }
  failpoint("refresh-answered");
  if (answer.refreshToken === undefined) {
    // Without offline_access Xero sends no refresh token; keeping the old one would store a dead token.
    const reason = "Xero's refresh answer carried no refresh token (the consent no longer includes offline_access)";
    await store.write(recordedSerial, { tokenSet: record.tokenSet, needsConsent: { reason, since: options.clock.now() } });
    throw new ConsentRequiredError(store.location, reason);
  }
  await store.write(recordedSerial, {
    tokenSet: {
      refreshToken: answer.refreshToken,
      refreshTokenIssuedAt: options.clock.now(),
      accessToken: answer.accessToken,
      accessTokenExpiresAt: answer.expiresAt,
      scopes: answer.scopes,
    },
  });
  failpoint("refresh-written");
  return { accessToken: answer.accessToken, expiresAt: answer.expiresAt, refreshed: true, resumed: decision.resuming !== undefined, scopes: answer.scopes };
}
