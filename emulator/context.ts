import { EmulatorClock } from "./clock";
import { FaultQueue } from "./faults";
import { EmulatorLatency } from "./latency";
import type { EmulatorResponse } from "./http";
import type { ResolvedOptions } from "./options";
import { cryptoRandom, type EmulatorRandom } from "./random";
import { RateLimiter, TokenEndpointLimiter } from "./rate-limits";
import { RequestLog } from "./request-log";
import type { TokenSigner } from "./signing";
import { XeroState } from "./state";
import { TokenStore } from "./token-store";

/** The URLs the emulator is served at (no trailing slash). */
export interface EmulatorUrls {
  readonly loginUrl: string;
  readonly identityUrl: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
}

/** Everything a route handler needs: one per running emulator, no sockets inside. */
export interface EmulatorContext {
  readonly options: ResolvedOptions;
  readonly urls: EmulatorUrls;
  /** `iss` of every token and of the discovery document. */
  readonly issuer: string;
  readonly clock: EmulatorClock;
  readonly random: EmulatorRandom;
  readonly state: XeroState;
  readonly tokens: TokenStore;
  readonly signer: TokenSigner;
  readonly rateLimits: RateLimiter;
  /** Present only when the `tokenRateLimitPerMinute` option is set. */
  readonly tokenRateLimit: TokenEndpointLimiter | undefined;
  readonly faults: FaultQueue;
  readonly log: RequestLog;
  readonly latency: EmulatorLatency;
}

/** Per-request hooks the server gives a handler. */
export interface RequestHooks {
  /** Where an injected hold or delay is felt, then the configured latency (inside a rate-limit slot, say). */
  simulateLatency(): Promise<void>;
  /**
   * Where an injected hold or delay is felt, without the latency: a handler that calls only this
   * does its work during the latency, which the server then waits out before answering.
   */
  awaitInjectedDelay(): Promise<void>;
}

export const NO_HOOKS: RequestHooks = { simulateLatency: () => Promise.resolve(), awaitInjectedDelay: () => Promise.resolve() };

/** A handler's answer plus an optional note for the request log (never sent to the client). */
export type HandlerResult = EmulatorResponse & { readonly note?: string };

export function urlsFor(baseUrl: string): EmulatorUrls {
  const base = baseUrl.replace(/\/+$/, "");
  return { loginUrl: `${base}/login`, identityUrl: `${base}/identity`, apiUrl: `${base}/api`, adminUrl: `${base}/admin` };
}

export function createContext(input: {
  options: ResolvedOptions;
  urls: EmulatorUrls;
  signer: TokenSigner;
  random?: EmulatorRandom;
  clock?: EmulatorClock;
}): EmulatorContext {
  const random = input.random ?? cryptoRandom;
  const clock = input.clock ?? new EmulatorClock(input.options.startTime);
  return {
    options: input.options,
    urls: input.urls,
    issuer: input.options.issuer ?? input.urls.identityUrl,
    clock,
    random,
    state: new XeroState(clock, random, { secretOverlap: input.options.secretOverlap }),
    tokens: new TokenStore(clock, random),
    signer: input.signer,
    rateLimits: new RateLimiter(input.options.rateLimits, clock),
    tokenRateLimit:
      input.options.tokenRateLimitPerMinute === undefined ? undefined : new TokenEndpointLimiter(input.options.tokenRateLimitPerMinute, clock),
    faults: new FaultQueue(),
    log: new RequestLog(),
    latency: new EmulatorLatency(input.options.latencyMs),
  };
}
