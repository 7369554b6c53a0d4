import type { Clock } from "../clock";
import { TransportFailure, urlWithoutQuery, type HttpRequest, type HttpTransport, type RawResponse } from "./http";
import type { Redactor } from "./redact";
import { decideRetry, parseRetryAfter, type AttemptOutcome, type Idempotency, type RetryPolicy } from "./retry";

/** Receives the client's debug lines. Every line and field is redacted before it gets here. */
export interface XeroLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * What one attempt produced and what the client does next: for a caller that paces its own calls
 * (the drift command's limiter learns of every 429 this way). Secret-free: no headers, no bodies.
 */
export interface XeroAttempt {
  readonly method: string;
  /** Without the query string. */
  readonly url: string;
  /** 1 for the first attempt of an operation. */
  readonly attempt: number;
  /** The answer's status; undefined when none came. */
  readonly status: number | undefined;
  /** A 429's `Retry-After`, in seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** A 429's `X-Rate-Limit-Problem` (`minute`, `concurrent`, `appminute`, ...). */
  readonly rateLimitProblem: string | undefined;
  /** How long the client waits before the next attempt; undefined when this attempt was the last. */
  readonly retryInMs: number | undefined;
}

/** Called after every attempt, before any wait. It must not throw. */
export type XeroAttemptObserver = (attempt: XeroAttempt) => void;

/** The world a request runs in: all injected, so tests control time, randomness and the network. */
export interface SendContext {
  readonly transport: HttpTransport;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly logger?: XeroLogger;
  readonly observer?: XeroAttemptObserver;
}

/** The last attempt's result: an HTTP answer (any status) or a failure with no answer. */
export type SendResult =
  | { readonly kind: "response"; readonly response: RawResponse; readonly attempts: number }
  | { readonly kind: "failure"; readonly failure: TransportFailure; readonly attempts: number };

/**
 * Sends `request`, retrying as {@link decideRetry} allows, and returns the last attempt's result.
 * It never throws for HTTP statuses or transport failures: what they mean is the caller's decision.
 */
export async function sendWithRetries(
  request: HttpRequest,
  options: { idempotency: Idempotency; label: string; redactor: Redactor },
  context: SendContext,
): Promise<SendResult> {
  const { redactor, label } = options;
  const log = (message: string, fields: Record<string, unknown>): void => {
    context.logger?.debug(redactor.text(message), redactor.value(fields) as Record<string, unknown>);
  };
  for (let attempt = 1; ; attempt++) {
    const started = context.clock.now().getTime();
    let result: SendResult;
    let outcome: AttemptOutcome;
    try {
      const response = await context.transport(request);
      result = { kind: "response", response, attempts: attempt };
      outcome = {
        kind: "status",
        status: response.status,
        ...optional("retryAfterSeconds", parseRetryAfter(response.headers["retry-after"], context.clock.now())),
      };
    } catch (error) {
      const failure = error instanceof TransportFailure ? error : new TransportFailure("other", redactor.error(error).message, redactor.error(error));
      result = { kind: "failure", failure, attempts: attempt };
      outcome = { kind: "failure", failure: failure.kind };
    }
    const decision = decideRetry({
      attempt,
      outcome,
      idempotency: options.idempotency,
      policy: context.policy,
      random: context.random,
    });
    log(`xero: ${label}: ${request.method} ${urlWithoutQuery(request.url)} attempt ${attempt} -> ${describe(result)}`, {
      attempt,
      elapsedMs: context.clock.now().getTime() - started,
      ...(decision.retry ? { retryInMs: decision.delayMs } : {}),
      decision: decision.why,
      ...correlation(result),
    });
    context.observer?.({
      method: request.method,
      url: urlWithoutQuery(request.url),
      attempt,
      status: result.kind === "response" ? result.response.status : undefined,
      retryAfterSeconds: outcome.kind === "status" ? outcome.retryAfterSeconds : undefined,
      rateLimitProblem: result.kind === "response" ? result.response.headers["x-rate-limit-problem"] : undefined,
      retryInMs: decision.retry ? decision.delayMs : undefined,
    });
    if (!decision.retry) return result;
    await context.sleep(decision.delayMs);
  }
}

function describe(result: SendResult): string {
  return result.kind === "response" ? String(result.response.status) : `${result.failure.kind} (${result.failure.message})`;
}

function correlation(result: SendResult): Record<string, string> {
  const id = result.kind === "response" ? result.response.headers["xero-correlation-id"] : undefined;
  return id === undefined ? {} : { correlationId: id };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The default sleep: a plain timer (it keeps the process alive, as a pending retry should). */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether a request may have been processed without us learning the result: no answer after it may
 * have left (reset, timeout), or a 5xx (the server failed somewhere, perhaps after committing).
 * Undefined when the result is definite: an answer below 500, or a connection never made. Pure.
 */
export function lostAnswer(result: SendResult): { reason: "network" | "timeout" | "server_error"; status?: number; why: string } | undefined {
  if (result.kind === "response") {
    const { status } = result.response;
    return status >= 500 ? { reason: "server_error", status, why: `HTTP ${status}` } : undefined;
  }
  if (!result.failure.maybeSent) return undefined;
  return { reason: result.failure.kind === "timeout" ? "timeout" : "network", why: result.failure.message };
}
