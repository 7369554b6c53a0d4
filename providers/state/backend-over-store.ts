import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes, randomUUID } from "node:crypto";
import { checkDocumentName, type StateBackendAddress } from "../../contract/state-address";
import type { Clock } from "../clock";
import { ConfigError } from "../errors";
import {
  RETIRED_OUTPUT,
  SECRETS_OUTPUT,
  nextDocument,
  type OutputValue,
  type OutputValues,
  type SealedSecrets,
  type StoredDocument,
} from "./document";
import { StateConflictError, StateCorruptError, StateKeyMismatchError, StateKeyMissingError, StateUnknownKidError } from "./errors";
import type { Actor, HistoryAction, HistoryEntry } from "./history";
import type { Keyring, KeyringLoader } from "./keyring";
import {
  envelopeOf,
  fingerprintSecrets,
  openEnvelope,
  parseEnvelope,
  sealSecrets,
  type SecretValues,
  type SecretsEnvelope,
} from "./secret-envelope";
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  type LockOptions,
  type RetireOptions,
  type StateBackend,
  type UpdateOptions,
  type WriteOptions,
} from "./backend-interface";
import type { DocumentStore } from "./store-primitives";

export interface CredentialBackendParts {
  readonly address: StateBackendAddress;
  readonly store: DocumentStore;
  readonly keys: KeyringLoader;
  readonly clock: Clock;
  readonly actor: Actor;
  readonly newLineage?: () => string;
  readonly randomBytes?: (size: number) => Buffer;
}

/** Document locks held by the current async call chain, so nested `withLock`s do not wait for themselves. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>();

const DEFAULT_MAX_ATTEMPTS = 5;

/** The one `StateBackend` implementation: serial, lineage, secrets and history rules over a `DocumentStore`. */
export class CredentialStateBackend implements StateBackend {
  readonly address: StateBackendAddress;
  readonly label: string;
  /**
   * Tells this backend's locks from another's on the same document. Drawn at construction, not on
   * first lock: an object that wraps this backend (Object.create, as tests and callers do to
   * intercept one method) must see the same id, or a lock it re-enters waits for itself.
   */
  private readonly instanceId = randomUUID();

  constructor(private readonly parts: CredentialBackendParts) {
    this.address = parts.address;
    this.label = parts.store.label;
  }

  async read(name: string): Promise<StoredDocument | undefined> {
    checkName(name);
    return this.parts.store.read(name);
  }

  async write(name: string, expectedSerial: number | undefined, values: OutputValues, options: WriteOptions = {}): Promise<StoredDocument> {
    checkName(name);
    const { store } = this.parts;
    const fingerprints = await this.fingerprintsOf(name, values);
    const keyring = typeof values[SECRETS_OUTPUT] === "string" ? await this.parts.keys.forReading() : undefined;
    let written: StoredDocument | undefined;
    const swap = (): Promise<void> =>
      store.swap(name, (current) => {
        if (current?.serial !== expectedSerial) throw new StateConflictError(name, expectedSerial, current?.serial);
        // Checked on the document being replaced, inside the swap, so no writer can slip one in between.
        if (current !== undefined && keyring !== undefined) this.checkReplaceableSecrets(current, values, keyring);
        const next = nextDocument(current?.document, values, this.parts.newLineage ?? randomUUID);
        written = { name, serial: next.serial, document: next, values: valuesOf(next.outputs) };
        const action = options.action ?? (current === undefined ? "create" : "write");
        return { next, entry: this.entry(name, action, current?.serial ?? null, next.serial, fingerprints) };
      });
    if (store.swapNeedsLock) await this.withLock(name, swap, options);
    else await swap();
    if (written === undefined) throw new Error(`state store ${store.label} did not apply the write of "${name}"`);
    return written;
  }

  async update(
    name: string,
    change: (current: StoredDocument | undefined) => OutputValues | undefined | Promise<OutputValues | undefined>,
    options: UpdateOptions = {},
  ): Promise<StoredDocument | undefined> {
    checkName(name);
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return this.withLock(
      name,
      async () => {
        for (let attempt = 1; ; attempt += 1) {
          const current = await this.read(name);
          const values = await change(current);
          if (values === undefined) return current;
          try {
            return await this.write(name, current?.serial, values, options);
          } catch (error) {
            // Only a writer that skipped the lock can get here; read its document and apply the change again.
            if (!(error instanceof StateConflictError) || attempt >= maxAttempts) throw error;
          }
        }
      },
      options,
    );
  }

  async withLock<T>(name: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    checkName(name);
    const key = `${this.instanceId}\u0000${name}`;
    const held = heldLocks.getStore();
    if (held?.has(key) === true) return fn();
    const release = await this.parts.store.lock(name, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    try {
      return await heldLocks.run(new Set([...(held ?? []), key]), fn);
    } finally {
      await release();
    }
  }

  async list(): Promise<string[]> {
    return this.parts.store.list();
  }

  listInBatches(): AsyncIterable<readonly string[]> {
    return this.parts.store.listInBatches?.() ?? oneBatch(this.parts.store.list());
  }

  async history(name: string): Promise<HistoryEntry[]> {
    checkName(name);
    return this.parts.store.history(name);
  }

  async retire(name: string, options: RetireOptions = {}): Promise<StoredDocument | undefined> {
    const drop = new Set(options.drop ?? []);
    return this.update(
      name,
      (current) => {
        if (current === undefined) return undefined;
        const alreadyDone = current.values[RETIRED_OUTPUT] === true && ![...drop].some((key) => key in current.values);
        if (alreadyDone) return undefined;
        const values: Record<string, OutputValue> = {};
        for (const [key, value] of Object.entries(current.values)) if (!drop.has(key)) values[key] = value;
        values[RETIRED_OUTPUT] = true;
        return values as OutputValues;
      },
      { ...options, action: "retire" },
    );
  }

  async delete(name: string, options: LockOptions = {}): Promise<boolean> {
    checkName(name);
    return this.withLock(
      name,
      async () => {
        const current = await this.read(name);
        if (current === undefined) return false;
        await this.parts.store.swap(name, (stored) => {
          if (stored?.serial !== current.serial) throw new StateConflictError(name, current.serial, stored?.serial);
          return { next: undefined, entry: this.entry(name, "delete", current.serial, null, undefined) };
        });
        return true;
      },
      options,
    );
  }

  async sealSecrets(name: string, values: SecretValues): Promise<SealedSecrets> {
    checkName(name);
    const keyring = await this.parts.keys.forWriting();
    if (keyring.keys.length === 0) throw new StateKeyMissingError(name, "write");
    return sealSecrets(keyring, name, values, this.parts.randomBytes ?? randomBytes);
  }

  async checkCanSealSecrets(name: string): Promise<void> {
    checkName(name);
    const keyring = await this.parts.keys.forReading();
    if (keyring.keys.length === 0 && !this.parts.keys.mayCreateDefaultKey) throw new StateKeyMissingError(name, "write");
  }

  async openSecrets(stored: StoredDocument): Promise<SecretValues> {
    const location = this.parts.store.locationOf(stored.name);
    const envelope = envelopeOf(stored.name, location, stored.document);
    if (envelope === undefined) return {};
    return openEnvelope(await this.parts.keys.forReading(), stored.name, location, envelope);
  }

  async fingerprintSecret(value: string): Promise<string | undefined> {
    return fingerprintSecrets(await this.parts.keys.forReading(), { value }).value;
  }

  async close(): Promise<void> {
    await this.parts.store.close();
  }

  /**
   * Refuses (StateKeyMissingError, StateUnknownKidError, StateKeyMismatchError) to replace an envelope
   * this keyring cannot open: a process with the wrong key would otherwise destroy the only copy of
   * secrets it never saw, or leave two different keys under one kid. Carrying the stored envelope over
   * unchanged and dropping the `secrets` output (retire) stay possible without the key; so does
   * replacing an envelope that is corrupt, which holds nothing readable.
   */
  private checkReplaceableSecrets(current: StoredDocument, values: OutputValues, keyring: Keyring): void {
    const stored = current.values[SECRETS_OUTPUT];
    if (typeof stored !== "string" || stored === values[SECRETS_OUTPUT]) return;
    const location = this.parts.store.locationOf(current.name);
    let envelope: SecretsEnvelope;
    try {
      envelope = parseEnvelope(current.name, location, stored);
    } catch (error) {
      if (error instanceof StateCorruptError) return;
      throw error;
    }
    try {
      openEnvelope(keyring, current.name, location, envelope);
    } catch (error) {
      if (error instanceof StateCorruptError) return;
      throw error;
    }
  }

  /**
   * Fingerprints of the secrets being written. An envelope carried over from a document sealed with a
   * key this process does not have is still written (it is not ours to drop), just without fingerprints.
   */
  private async fingerprintsOf(name: string, values: OutputValues): Promise<Record<string, string> | undefined> {
    const sealed = values[SECRETS_OUTPUT];
    if (sealed === undefined) return undefined;
    const location = "the value being written";
    if (typeof sealed !== "string") throw new TypeError(`output "${SECRETS_OUTPUT}" of "${name}" must come from sealSecrets`);
    const envelope = parseEnvelope(name, location, sealed);
    const keyring = await this.parts.keys.forReading();
    try {
      return fingerprintSecrets(keyring, openEnvelope(keyring, name, location, envelope));
    } catch (error) {
      if (error instanceof StateKeyMissingError || error instanceof StateUnknownKidError || error instanceof StateKeyMismatchError) {
        return undefined;
      }
      throw error;
    }
  }

  private entry(
    name: string,
    action: HistoryAction,
    serialBefore: number | null,
    serialAfter: number | null,
    fingerprints: Record<string, string> | undefined,
  ): HistoryEntry {
    const { actor, clock } = this.parts;
    const entry: HistoryEntry = {
      document: name,
      action,
      serialBefore,
      serialAfter,
      actor: actor.user,
      pid: actor.pid,
      at: clock.now().toISOString(),
    };
    return fingerprints === undefined ? entry : { ...entry, secretFingerprints: fingerprints };
  }
}

function checkName(name: string): void {
  const problem = checkDocumentName(name);
  if (problem !== undefined) throw new ConfigError(`invalid state document name: ${problem}`, { context: { document: name } });
}

function valuesOf(outputs: StoredDocument["document"]["outputs"]): OutputValues {
  const values: Record<string, OutputValue> = {};
  for (const [key, output] of Object.entries(outputs)) values[key] = output.value;
  return values as OutputValues;
}

async function* oneBatch(names: Promise<readonly string[]>): AsyncGenerator<readonly string[]> {
  yield await names;
}
