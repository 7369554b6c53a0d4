/**
 * The schedule of a drift run's checks: the resources to check as they are found, and the workers
 * that take them in turn. In backend-only mode the listing adds targets while the first ones are
 * already being checked (runner.ts).
 */

/** A plan's entry: settles once its documents are read, with what to check (nothing, for a document no kind recorded) or the error that ends the run. */
export type PlannedEntry<Target> = Promise<{ readonly target: Target | undefined } | { readonly error: unknown }>;

/** The planned entries as they are added, and when the last one has been. */
export class TargetPlan<Target> {
  private readonly entries: Array<PlannedEntry<Target>> = [];
  private complete = false;
  private stopped = false;
  /** Workers waiting for the entry at their index, earliest index first: workers ask for indexes in order. */
  private readonly waiting: Array<{ readonly index: number; readonly wake: () => void }> = [];
  private readonly completion: Promise<ReadonlyArray<PlannedEntry<Target>>>;
  private markComplete: () => void = () => undefined;

  constructor() {
    this.completion = new Promise<void>((resolve) => (this.markComplete = resolve)).then(() => this.entries);
  }

  /** A plan whose entries are all known. */
  static of<Target>(entries: ReadonlyArray<PlannedEntry<Target>>): TargetPlan<Target> {
    const plan = new TargetPlan<Target>();
    for (const entry of entries) plan.add(entry);
    plan.finish();
    return plan;
  }

  add(entry: PlannedEntry<Target>): void {
    this.entries.push(entry);
    // Only the worker waiting for this index: a batch of a listing must not wake every idle worker.
    while (this.waiting.length > 0 && (this.waiting[0]?.index ?? Infinity) < this.entries.length) this.waiting.shift()?.wake();
  }

  finish(): void {
    this.complete = true;
    this.markComplete();
    for (const waiter of this.waiting.splice(0)) waiter.wake();
  }

  /** The entry at `index` once it is added (indexes asked for in increasing order); undefined when the plan was completed or stopped without it. */
  async at(index: number): Promise<PlannedEntry<Target> | undefined> {
    if (index >= this.entries.length && !this.complete && !this.stopped) {
      await new Promise<void>((wake) => this.waiting.push({ index, wake }));
    }
    return this.entries[index];
  }

  /** Every entry, once the last one is added. */
  all(): Promise<ReadonlyArray<PlannedEntry<Target>>> {
    return this.completion;
  }

  /**
   * The run has ended, or an entry failed: whatever still adds entries or reads documents for them
   * can stop, and workers waiting for an entry are let go (they find none).
   */
  stop(): void {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.wake();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}

/**
 * Runs `check` over the plan's targets as they come, at most `concurrency` at once, and returns what
 * it returned, in the order the checks finished. An entry that failed stops further targets from
 * starting (a worker waiting for the listing included); the checks under way are awaited, then its
 * error is thrown.
 */
export async function checkAsPlanned<Target, Report>(plan: TargetPlan<Target>, concurrency: number, check: (target: Target) => Promise<Report>): Promise<Report[]> {
  const reports: Report[] = [];
  let next = 0;
  let failed: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined) {
      const planned = await plan.at(next++);
      if (planned === undefined || failed !== undefined) return;
      const ready = await planned;
      if (failed !== undefined) return;
      if ("error" in ready) {
        failed = ready;
        plan.stop();
      }
      else if (ready.target !== undefined) reports.push(await check(ready.target));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failed !== undefined) throw failed.error;
  return reports;
}

/** Starts each `work` given, in the order given, with at most `limit` of them unsettled at once. */
export function inOrderAtMost(limit: number): <R>(work: () => Promise<R>) => Promise<R> {
  let running = 0;
  const queued: Array<() => void> = [];
  return <R>(work: () => Promise<R>) =>
    new Promise<R>((resolve, reject) => {
      const start = (): void => {
        running += 1;
        new Promise<R>((settle) => settle(work()))
          .then(resolve, reject)
          .finally(() => {
            running -= 1;
            queued.shift()?.();
          });
      };
      if (running < limit) start();
      else queued.push(start);
    });
}
