import type { StateBackendAddress } from "../../contract/state-address";
import type { OutputValues, SealedSecrets, StoredDocument } from "./document";
import type { HistoryAction, HistoryEntry } from "./history";
import type { SecretValues } from "./secret-envelope";

/**
 * The one interface the rest of cdktf-xero uses for credential documents. Whether the documents live
 * in local files or PostgreSQL is decided by `openStateBackend(address)` and nowhere else.
 *
 * Guarantees, for both backends:
 * - a write is a compare-and-swap on the serial: it applies only if the stored serial is still the
 *   one the writer read, and it is all-or-nothing (the previous or the next document, never a torn one);
 * - every change appends a history entry (secrets as keyed fingerprints only);
 * - locks are per document, re-entrant within one async call chain, and waiting for one has a timeout.
 *
 * @example
 * const backend = await openStateBackend({ type: "local", dir: ".cdktf-xero/state" });
 * try {
 *   await backend.update("billing/App", async (current) => ({
 *     ...current?.values,
 *     tenant_id: "c3f4…",
 *     secrets: await backend.sealSecrets("billing/App", { client_secret: secret }),
 *   }));
 * } finally {
 *   await backend.close();
 * }
 */
export interface StateBackend {
  readonly address: StateBackendAddress;
  /** `local:<absolute dir>` or `pg:<schema>`, for messages. */
  readonly label: string;

  /** The document, or undefined when there is none. Throws StateCorruptError for a document we cannot use. */
  read(name: string): Promise<StoredDocument | undefined>;

  /**
   * Compare-and-swap: writes `values` as the next document if the stored serial is `expectedSerial`
   * (`undefined`: only if there is no document yet). Throws StateConflictError otherwise, writing nothing.
   * Replacing a stored `secrets` envelope needs a keyring that opens it (else the key error, nothing written).
   * Takes the document's lock only for the swap itself; use {@link update} for read-modify-write.
   */
  write(name: string, expectedSerial: number | undefined, values: OutputValues, options?: WriteOptions): Promise<StoredDocument>;

  /**
   * Read-modify-write under the document's lock: calls `change` with the current document (or
   * undefined) and writes what it returns; `undefined` leaves the document as it is. Retries on a
   * conflict with a writer that did not take the lock.
   */
  update(
    name: string,
    change: (current: StoredDocument | undefined) => OutputValues | undefined | Promise<OutputValues | undefined>,
    options?: UpdateOptions,
  ): Promise<StoredDocument | undefined>;

  /** Runs `fn` holding the document's lock (re-entrant: nested calls in `fn` do not wait for themselves). */
  withLock<T>(name: string, fn: () => Promise<T>, options?: LockOptions): Promise<T>;

  /** Names of all documents, sorted. */
  list(): Promise<string[]>;

  /**
   * Names of all documents, a batch at a time as the backend finds them (a directory of a local
   * backend; all at once from pg), in no set order: for a caller that can start on the first
   * documents while the rest are still being listed (drift over a large backend).
   */
  listInBatches(): AsyncIterable<readonly string[]>;

  /** The document's history, oldest first (kept after the document is deleted). */
  history(name: string): Promise<HistoryEntry[]>;

  /**
   * Marks the document retired (the resource was destroyed): outputs are kept and `retired = true` is
   * added, so `terraform_remote_state` reads still work; pending secrets can be dropped with `keep`.
   * Returns undefined when there is no document.
   */
  retire(name: string, options?: RetireOptions): Promise<StoredDocument | undefined>;

  /** Removes the document (its history stays). Returns false when there was none. */
  delete(name: string, options?: LockOptions): Promise<boolean>;

  /** Encrypts secrets for `name` with the first key of the keyring (may create the embedded default key). */
  sealSecrets(name: string, values: SecretValues): Promise<SealedSecrets>;

  /**
   * Throws what {@link sealSecrets} would for `name` when no key can write (StateKeyMissingError:
   * none configured and none may be created; StateKeyInvalidError: a configured key is malformed),
   * without creating the embedded default key or writing anything. For checks before a deploy.
   */
  checkCanSealSecrets(name: string): Promise<void>;

  /** Decrypts the document's `secrets` output; `{}` when it has none. */
  openSecrets(stored: StoredDocument): Promise<SecretValues>;

  /** Keyed fingerprint of one secret value (same scheme as history), for outputs like "current secret fingerprint". */
  fingerprintSecret(value: string): Promise<string | undefined>;

  /** Releases connections. The backend is unusable afterwards. */
  close(): Promise<void>;
}

export interface LockOptions {
  /**
   * How long to wait for another holder before failing with StateLockedError.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

export interface WriteOptions extends LockOptions {
  /** @default "create" for a new document, else "write" */
  readonly action?: HistoryAction;
}

export interface UpdateOptions extends WriteOptions {
  /**
   * Attempts before giving up on writers that change the document without taking its lock.
   * @default 5
   */
  readonly maxAttempts?: number;
}

export interface RetireOptions extends LockOptions {
  /**
   * Names of outputs to drop while retiring (e.g. `["secrets"]` to forget pending material).
   * @default [] (everything kept)
   */
  readonly drop?: readonly string[];
}

/** Default time to wait for a document lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
