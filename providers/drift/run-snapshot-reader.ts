import type { SecretValues, StateBackend, StoredDocument } from "../state";

/**
 * What a drift run may do with a state backend: read. The checks of one app share documents (an
 * app's rotation document holds the CURRENT secret its registration, its link and the rotation's
 * own check all need), and backend-only mode has already read every document while listing them;
 * a run is one snapshot, so each document is read once and each envelope opened once per run.
 */
export type DriftBackendReader = Pick<StateBackend, "address" | "label" | "listInBatches" | "read" | "openSecrets">;

export class RunSnapshotReader implements DriftBackendReader {
  private readonly documents = new Map<string, Promise<StoredDocument | undefined>>();
  private readonly secrets = new WeakMap<StoredDocument, Promise<SecretValues>>();

  constructor(private readonly backend: StateBackend) {}

  get address(): StateBackend["address"] {
    return this.backend.address;
  }

  get label(): string {
    return this.backend.label;
  }

  listInBatches(): AsyncIterable<readonly string[]> {
    return this.backend.listInBatches();
  }

  /** The document as first read in this run (a failed read is not remembered: the next asks again). */
  read(name: string): Promise<StoredDocument | undefined> {
    let document = this.documents.get(name);
    if (document === undefined) {
      document = this.backend.read(name);
      this.documents.set(name, document);
      document.catch(() => this.documents.delete(name));
    }
    return document;
  }

  openSecrets(stored: StoredDocument): Promise<SecretValues> {
    let values = this.secrets.get(stored);
    if (values === undefined) {
      values = this.backend.openSecrets(stored);
      this.secrets.set(stored, values);
      values.catch(() => this.secrets.delete(stored));
    }
    return values;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
