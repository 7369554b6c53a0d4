import { XeroRefreshOutcomeUnknownError, XeroUnavailableError } from "./errors";
import type { TransportFailure } from "./http";
import type { ParseContext } from "./parse-common";
import { fingerprint } from "./redact";
import type { lostAnswer } from "./send";

/**
 * The errors for requests that got no usable answer. Messages are built from scrubbed transport
 * messages and statuses only, never from request content.
 */

type LostAnswer = NonNullable<ReturnType<typeof lostAnswer>>;

/** No answer after the retries allowed (or none allowed): try again later. */
export function unavailableError(failure: TransportFailure, context: ParseContext, attempts: number, advice = ""): XeroUnavailableError {
  return new XeroUnavailableError(
    `Could not complete ${context.operation} with Xero: ${failure.message} (${attempts} attempt${attempts === 1 ? "" : "s"}).` +
      `${advice} Check network access to Xero and the XERO_*_URL settings, then try again.`,
    { reason: failure.kind === "timeout" ? "timeout" : "network" },
    { cause: failure, context: { operation: context.operation, clientId: context.clientId, attempts } },
  );
}

/** A code exchange that may have spent the (single-use) code: only a new authorization helps. */
export function codeMaybeSpentError(lost: LostAnswer, failure: TransportFailure | undefined, context: ParseContext, attempts: number): XeroUnavailableError {
  return new XeroUnavailableError(
    `Xero did not confirm ${context.operation} for client ${context.clientId} (${lost.why}); it was not sent again because ` +
      `the authorization code may have been spent. Start the authorization again.`,
    { reason: lost.reason, ...(lost.status === undefined ? {} : { status: lost.status }) },
    { ...(failure === undefined ? {} : { cause: failure }), context: { operation: context.operation, clientId: context.clientId, attempts } },
  );
}

/**
 * A refresh whose answer was lost. Carries, without revealing the token, until when it may be sent
 * again (`sentAt` is taken before the first attempt, so the deadline errs early) and a `retry()`.
 */
export function refreshOutcomeUnknownError(input: {
  lost: LostAnswer;
  failure: TransportFailure | undefined;
  context: ParseContext;
  attempts: number;
  sentAt: Date;
  graceMs: number;
  refreshToken: string;
  retry: () => Promise<unknown>;
}): XeroRefreshOutcomeUnknownError {
  const { lost, context, refreshToken } = input;
  const graceExpiresAt = new Date(input.sentAt.getTime() + input.graceMs);
  return new XeroRefreshOutcomeUnknownError(
    `Xero did not confirm the refresh for client ${context.clientId} (${lost.why}); it may or may not have rotated ` +
      `the refresh token. It was not sent again. The same refresh token stays usable until ` +
      `${graceExpiresAt.toISOString()} (Xero's grace period): refresh again with it before then (error.retry()); ` +
      `after that the connection must be re-authorised.`,
    {
      reason: lost.reason,
      ...(lost.status === undefined ? {} : { status: lost.status }),
      sentAt: input.sentAt,
      graceExpiresAt,
      refreshTokenFingerprint: fingerprint(refreshToken),
      sentRefreshToken: () => refreshToken,
      retry: input.retry,
    },
    {
      ...(input.failure === undefined ? {} : { cause: input.failure }),
      context: { operation: context.operation, clientId: context.clientId, attempts: input.attempts },
    },
  );
}
