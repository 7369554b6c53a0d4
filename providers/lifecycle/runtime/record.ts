import { CommonOutputs } from "../../../contract/document-codec";
import type { HookSpec } from "../../../contract/hook-spec";
import type { OutputValue, OutputValues, StateBackend, StoredDocument } from "../../state";
import type { HookContext } from "./context";
import type { HookRun } from "./inputs";
import { hookResult, type HookResult } from "./result";

/**
 * How a hook turns its outcome into the document: compute every output first, then one
 * compare-and-swap under the document's lock, and no write at all when nothing changed.
 */

/** What `drift --mark` recorded: this apply answers it, so they go (the history keeps them). */
const DRIFT_MARKS: ReadonlySet<string> = new Set([CommonOutputs.names.driftFindings, CommonOutputs.names.driftMarkedAt]);

/** What one apply found, before it is merged into the document. */
export type ComputedOutputs = Readonly<Record<string, OutputValue>> & { readonly generation: number };

/**
 * The document after this apply: the current outputs (keeping e.g. the `secrets` envelope, which a
 * hook never writes from an env or file secret) with `retired` and `drift --mark`'s findings cleared and the computed outputs
 * on top. `generation` never goes down: a bump that arrived while this apply ran (`secret stage`,
 * `drift --mark`) is kept, so the next plan runs the hook again.
 */
export function nextOutputs(current: OutputValues | undefined, computed: ComputedOutputs): OutputValues {
  const values: Record<string, OutputValue> = {};
  for (const [key, value] of Object.entries(current ?? {})) {
    if (key !== CommonOutputs.names.retired && !DRIFT_MARKS.has(key) && value !== undefined) values[key] = value;
  }
  Object.assign(values, computed);
  values[CommonOutputs.names.appliedGeneration] = computed.generation;
  const recorded = current?.[CommonOutputs.names.generation];
  if (typeof recorded === "number" && recorded > computed.generation) values[CommonOutputs.names.generation] = recorded;
  return values as OutputValues;
}

/** Whether two output sets say the same thing; `verified_at` alone is no reason to write. */
export function isSameRecord(current: OutputValues | undefined, next: OutputValues): boolean {
  if (current === undefined) return false;
  const keys = (values: OutputValues): string[] => Object.keys(values).filter((key) => key !== CommonOutputs.names.verifiedAt).sort();
  const a = keys(current);
  const b = keys(next);
  if (a.length !== b.length || a.some((key, index) => key !== b[index])) return false;
  return a.every((key) => JSON.stringify(current[key]) === JSON.stringify(next[key]));
}

/**
 * Whether the document still records `run` (same spec hash, and the generation that apply ran for):
 * `destroy` acts only then. A bump of `generation` outside Terraform does not make it a stranger.
 */
export function recordsRun(values: OutputValues, run: HookRun): boolean {
  return values[CommonOutputs.names.specSha256] === run.specSha256 && values[CommonOutputs.names.appliedGeneration] === run.generation;
}

export interface RecordResult {
  readonly stored: StoredDocument;
  /** False when the document already said all of this (nothing written, serial unchanged). */
  readonly changed: boolean;
  /** The generation the document holds after the write (above the run's when bumped meanwhile). */
  readonly generation: number;
}

/** Writes the computed outputs in one CAS update under the document's lock, or nothing when unchanged. */
export async function recordOutcome(backend: StateBackend, document: string, computed: ComputedOutputs): Promise<RecordResult> {
  let changed = false;
  const stored = await backend.update(document, (current) => {
    const next = nextOutputs(current?.values, computed);
    changed = !isSameRecord(current?.values, next);
    return changed ? next : undefined;
  });
  // Unreachable with either backend: `update` returns what it wrote, or the current document when
  // nothing changed, and isSameRecord never calls a missing document unchanged. Kept as an invariant.
  if (stored === undefined) throw new Error(`state backend ${backend.label} returned no document after updating "${document}"`);
  const generation = stored.values[CommonOutputs.names.generation];
  return { stored, changed, generation: typeof generation === "number" ? generation : computed.generation };
}

/**
 * The end of every `apply`: what the hook proved (`outputs`) plus the run's own bookkeeping
 * (generation, spec hash, verification time) recorded in one write, then the closing lines.
 *
 * @param summary what was proved, e.g. `Custom Connection "Sync" (client id …) is live`
 */
export async function recordApply(
  spec: HookSpec,
  run: HookRun,
  ctx: HookContext,
  proved: { readonly outputs: Readonly<Record<string, OutputValue>>; readonly summary: string },
): Promise<HookResult> {
  const computed: ComputedOutputs = {
    ...proved.outputs,
    [CommonOutputs.names.generation]: run.generation,
    [CommonOutputs.names.specSha256]: run.specSha256,
    [CommonOutputs.names.verifiedAt]: ctx.clock.now().toISOString(),
  };
  const backend = await ctx.backend(spec.backend);
  const result = await recordOutcome(backend, spec.document, computed);
  const where = `${backend.label} (serial ${result.stored.serial})`;
  ctx.say(`cdktf-xero: ${spec.document}: ${proved.summary}; ${result.changed ? "recorded" : "unchanged"} in ${where}.`);
  if (result.generation > run.generation) {
    ctx.say(`cdktf-xero: ${spec.document}: generation was bumped to ${result.generation} while this ran; the next deploy runs the hook again.`);
  }
  return hookResult("apply", backend, spec.document, result.changed ? "recorded" : "unchanged", result.stored);
}
