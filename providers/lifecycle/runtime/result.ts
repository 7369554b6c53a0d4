import { CommonOutputs } from "../../../contract/document-codec";
import type { OutputValue, StateBackend, StoredDocument } from "../../state";
import type { HookVerb } from "./inputs";

/**
 * What a hook did:
 * - init: `created` the document, or found it (`exists`);
 * - apply: `recorded` a changed outcome, or found it `unchanged` (nothing written);
 * - destroy: `retired` the document, found it `already_retired`, `superseded` by a newer apply
 *   (left alone), or `missing`.
 */
export type HookOutcome = "created" | "exists" | "recorded" | "unchanged" | "retired" | "already_retired" | "superseded" | "missing";

export interface HookResult {
  readonly verb: HookVerb;
  readonly document: string;
  /** `local:<absolute dir>` or `pg:<schema>`. */
  readonly backend: string;
  readonly outcome: HookOutcome;
  /** The document's serial afterwards; undefined when there is no document. */
  readonly serial: number | undefined;
  /** The document's outputs afterwards, without the `secrets` envelope. */
  readonly outputs: Readonly<Record<string, OutputValue>>;
}

/** A result from the stored document, never carrying its `secrets` output. */
export function hookResult(verb: HookVerb, backend: StateBackend, document: string, outcome: HookOutcome, stored: StoredDocument | undefined): HookResult {
  const outputs: Record<string, OutputValue> = {};
  for (const [key, value] of Object.entries(stored?.values ?? {})) {
    if (key !== CommonOutputs.names.secrets && value !== undefined) outputs[key] = value;
  }
  return { verb, document, backend: backend.label, outcome, serial: stored?.serial, outputs };
}
