/**
 * The one polling loop behind both document locks (a local lock file, a pg advisory lock): try, and
 * while someone else holds the lock, wait a growing, jittered pause until a deadline. Neither lock
 * can block in the kernel or the server with a timeout of its own, so they poll; this keeps how they
 * poll (and how they give up) the same.
 */

/** What the loop needs from the world; tests pass their own to move time without waiting. */
export interface LockPollTiming {
  /** Milliseconds on a monotonic clock (deadlines must not move when the wall clock does). @default performance.now */
  readonly monotonicNow: () => number;
  /** @default setTimeout */
  readonly sleep: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random: () => number;
}

export const realLockPollTiming: LockPollTiming = Object.freeze({
  // The global, which loads node:perf_hooks on first use: imported here, its eleven modules loaded
  // with providers/state's index (which re-exports this) in every process, lock or not (drift's start).
  monotonicNow: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
});

/**
 * One try: the lock (`acquired`), someone else's (`busy`, with whatever the timeout error needs to
 * name them), or a state that changed under the try and is worth trying again at once (`retry`).
 */
export type LockAttempt<T, H> = { readonly acquired: T } | { readonly busy: H } | "retry";

export interface PollLockOptions<T, H> {
  readonly timeoutMs: number;
  /** First pause after a busy try; each next one is 1.5 times longer, up to `maxPollMs`. */
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly attempt: () => Promise<LockAttempt<T, H>>;
  /** The error to throw once the deadline passed with the lock still busy (given the last holder seen). */
  readonly timedOut: (holder: H) => Promise<Error> | Error;
  /** @default realLockPollTiming */
  readonly timing?: Partial<LockPollTiming>;
}

/**
 * Tries until `attempt` acquires the lock or a busy try finds the deadline passed. The deadline is
 * checked after a busy try, so a zero timeout still tries once. Pauses are `pollMs * [0.5, 1.5)`:
 * jitter keeps a crowd of waiters from retrying in lockstep.
 */
export async function pollLock<T, H>(options: PollLockOptions<T, H>): Promise<T> {
  const timing = { ...realLockPollTiming, ...options.timing };
  const deadline = timing.monotonicNow() + options.timeoutMs;
  let pollMs = options.minPollMs;
  for (;;) {
    const result = await options.attempt();
    if (result === "retry") continue;
    if ("acquired" in result) return result.acquired;
    if (timing.monotonicNow() >= deadline) throw await options.timedOut(result.busy);
    await timing.sleep(pollMs * (0.5 + timing.random()));
    pollMs = Math.min(options.maxPollMs, pollMs * 1.5);
  }
}
