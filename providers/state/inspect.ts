import { CdktfXeroError } from "../errors";
import type { StateBackend } from "./backend-interface";
import { RETIRED_OUTPUT, SECRETS_OUTPUT, type OutputValue } from "./document";
import { StateNotFoundError } from "./errors";
import type { SecretValues } from "./secret-envelope";

/**
 * Read-only views of documents for people and scripts (`cdktf-xero state list|show`). Secrets are
 * `(sensitive)` unless revealed on purpose.
 */

export const SENSITIVE_PLACEHOLDER = "(sensitive)";

export interface DocumentSummary {
  readonly name: string;
  /** Absent when the document could not be read; `error` then says why. */
  readonly serial?: number;
  readonly retired?: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DocumentView {
  readonly name: string;
  readonly backend: string;
  readonly serial: number;
  readonly lineage: string;
  readonly retired: boolean;
  /** Every output; `secrets` is `(sensitive)` or, when revealed, the decrypted record. */
  readonly outputs: Readonly<Record<string, OutputValue | SecretValues>>;
}

/** One line per document; an unreadable document is listed with its error instead of failing the list. */
export async function summarizeDocuments(backend: StateBackend): Promise<DocumentSummary[]> {
  const summaries: DocumentSummary[] = [];
  for (const name of await backend.list()) {
    try {
      const stored = await backend.read(name);
      if (stored !== undefined) summaries.push({ name, serial: stored.serial, retired: stored.values[RETIRED_OUTPUT] === true });
    } catch (error) {
      if (!(error instanceof CdktfXeroError)) throw error;
      summaries.push({ name, error: { code: error.code, message: error.message } });
    }
  }
  return summaries;
}

/** The document's outputs, secrets hidden unless `reveal`. Throws StateNotFoundError when absent. */
export async function viewDocument(backend: StateBackend, name: string, options: { reveal?: boolean } = {}): Promise<DocumentView> {
  const stored = await backend.read(name);
  if (stored === undefined) throw new StateNotFoundError(name, backend.label);
  const outputs: Record<string, OutputValue | SecretValues> = {};
  for (const [key, output] of Object.entries(stored.document.outputs)) {
    if (key === SECRETS_OUTPUT) outputs[key] = options.reveal === true ? await backend.openSecrets(stored) : SENSITIVE_PLACEHOLDER;
    else outputs[key] = output.sensitive === true && options.reveal !== true ? SENSITIVE_PLACEHOLDER : output.value;
  }
  return {
    name,
    backend: backend.label,
    serial: stored.serial,
    lineage: stored.document.lineage,
    retired: stored.values[RETIRED_OUTPUT] === true,
    outputs,
  };
}
