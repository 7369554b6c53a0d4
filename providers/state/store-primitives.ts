import type { StateDocument, StoredDocument } from "./document";
import type { HistoryEntry } from "./history";

/**
 * The primitives one storage technology provides (local files, PostgreSQL). `CredentialStateBackend`
 * builds the public `StateBackend` on top, so serial, lineage, secrets and history rules exist once.
 */
export interface DocumentStore {
  /** `local:<absolute dir>` or `pg:<schema>` */
  readonly label: string;
  /**
   * True when `swap` is atomic only under the document lock (local files); the backend then takes
   * the lock around it. False when the store has its own transactions (PostgreSQL).
   */
  readonly swapNeedsLock: boolean;

  /** Where the document lives, for messages: a file path or `pg:<schema> states row "<name>"`. */
  locationOf(name: string): string;
  read(name: string): Promise<StoredDocument | undefined>;
  /**
   * Reads the current document, asks `decide` for the next one (undefined: delete) and its history
   * entry, and stores both as one step. `decide` may throw (a conflict) and then nothing is stored.
   */
  swap(name: string, decide: (current: StoredDocument | undefined) => SwapPlan): Promise<void>;
  /** Takes the document's lock, waiting up to `timeoutMs`; resolves to the release function. */
  lock(name: string, timeoutMs: number): Promise<LockRelease>;
  list(): Promise<string[]>;
  /** The names in batches as they are found, in no set order; without it, {@link list} is one batch. */
  listInBatches?(): AsyncIterable<readonly string[]>;
  history(name: string): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}

export interface SwapPlan {
  readonly next: StateDocument | undefined;
  readonly entry: HistoryEntry;
}

export type LockRelease = () => Promise<void>;
