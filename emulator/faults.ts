/**
 * Faults injected by `POST /admin/faults`: for the next `count` requests to `path`, answer with
 * `status`, wait `delayMs` first (or `delayAfterCommitMs` between the work and the answer), hold the request until `POST /admin/faults/release`, or drop the
 * connection before doing the work or after committing it (e.g. after rotating a refresh token)
 * without answering. A held request is what a test uses for "a call still in flight" or "no answer
 * in time": it waits as long as the test needs, however slow the machine, and no longer.
 */
export interface Fault {
  readonly path: string;
  readonly status: number | undefined;
  /** The `Retry-After` (seconds) of an injected 429. @default 1 */
  readonly retryAfterSeconds: number | undefined;
  readonly delayMs: number | undefined;
  /** Answer only this long after the work is committed (e.g. a refresh token rotated). */
  readonly delayAfterCommitMs: number | undefined;
  readonly hold: boolean;
  readonly drop: "before" | "after-commit" | undefined;
  remaining: number;
}

export class FaultQueue {
  private readonly faults: Fault[] = [];
  private readonly held = new Set<() => void>();

  add(fault: Omit<Fault, "remaining"> & { count: number }): void {
    const { count, ...rest } = fault;
    this.faults.push({ ...rest, remaining: count });
  }

  /** The oldest fault waiting for this path, counted as used; undefined when none applies. */
  take(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.path === path && f.remaining > 0);
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Forgets every fault still to fire; returns how many there were. */
  clear(): number {
    return this.faults.splice(0).length;
  }

  pending(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Resolves when {@link release} is called or `gone` fires (the client went away), whichever is first. */
  hold(gone: { once(event: "close", listener: () => void): unknown; off(event: "close", listener: () => void): unknown }): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.held.delete(done);
        gone.off("close", done);
        resolve();
      };
      this.held.add(done);
      gone.once("close", done);
    });
  }

  /** How many requests are held right now. */
  heldCount(): number {
    return this.held.size;
  }

  /** Lets every held request go on; returns how many there were. */
  release(): number {
    const waiting = [...this.held];
    waiting.forEach((done) => done());
    return waiting.length;
  }
}

export function describeFault(fault: Fault): string {
  const parts = [
    fault.delayMs === undefined ? undefined : `delay ${fault.delayMs}ms`,
    fault.delayAfterCommitMs === undefined ? undefined : `delay ${fault.delayAfterCommitMs}ms after commit`,
    fault.hold ? "hold" : undefined,
    fault.status === undefined ? undefined : `status ${fault.status}${fault.retryAfterSeconds === undefined ? "" : ` retry-after ${fault.retryAfterSeconds}s`}`,
    fault.drop === undefined ? undefined : `drop ${fault.drop}`,
  ].filter((p): p is string => p !== undefined);
  return parts.join(", ");
}
