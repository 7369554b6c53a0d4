/**
 * Faults injected by `POST /admin/faults`: for the next `count` requests to `path`, answer with
 * `status`, wait `delayMs` first, or drop the connection before doing the work or after committing
 * it (e.g. after rotating a refresh token) without answering.
 */
export interface Fault {
  readonly path: string;
  readonly status: number | undefined;
  readonly delayMs: number | undefined;
  readonly drop: "before" | "after-commit" | undefined;
  remaining: number;
}

export class FaultQueue {
  private readonly faults: Fault[] = [];

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

  pending(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }
}

export function describeFault(fault: Fault): string {
  const parts = [
    fault.delayMs === undefined ? undefined : `delay ${fault.delayMs}ms`,
    fault.status === undefined ? undefined : `status ${fault.status}`,
    fault.drop === undefined ? undefined : `drop ${fault.drop}`,
  ].filter((p): p is string => p !== undefined);
  return parts.join(", ");
}
