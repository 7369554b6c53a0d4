/**
 * Stand-in for providers/xero/call-limiter.ts (built on another branch): the same interface, but it
 * only bounds how many calls run at once. It knows nothing of Xero's per-organisation and per-app
 * limits and never sees a 429 (the Xero client's own retries honour Retry-After), so
 * `rateLimitedResponses` stays 0. Swapped for the real limiter at merge; nothing else changes.
 */
export interface XeroCallScope {
  readonly clientId: string;
  readonly tenantId?: string;
} // no tenantId: a tenantless call (token endpoint, GET /connections)

export interface XeroCallLimiter {
  run<T>(scope: XeroCallScope, call: () => Promise<T>): Promise<T>;
  /** 429 answers seen and honoured (waited out) so far. */
  readonly rateLimitedResponses: number;
}

export function createXeroCallLimiter(options: { readonly concurrency: number }): XeroCallLimiter {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${options.concurrency}`);
  }
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finished call hands its slot straight to the next waiter, so no newcomer can slip in between.
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  };
  return {
    rateLimitedResponses: 0,
    async run<T>(_scope: XeroCallScope, call: () => Promise<T>): Promise<T> {
      if (running >= options.concurrency) await new Promise<void>((go) => waiting.push(go));
      else running += 1;
      try {
        return await call();
      } finally {
        release();
      }
    },
  };
}
