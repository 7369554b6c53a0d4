import { CommonOutputs } from "../../../contract/document-codec";
import type { HookSpec } from "../../../contract/hook-spec";
import type { StoredDocument } from "../../state";
import type { HookContext } from "./context";
import type { HookRun } from "./inputs";
import { recordsRun } from "./record";
import { hookResult, type HookResult } from "./result";

/**
 * `hook destroy` for every kind, under the document's lock: acts only when the document still
 * records this run (same spec hash and generation, see contract/hook-spec.ts); then `beforeRetire`
 * (e.g. the unlink) and the retire itself (outputs and history kept, `retired = true`).
 */
export async function retireDocument(
  spec: HookSpec,
  run: HookRun,
  ctx: HookContext,
  steps: { beforeRetire?: (stored: StoredDocument) => Promise<void>; afterRetire: () => void },
): Promise<HookResult> {
  const backend = await ctx.backend(spec.backend);
  const name = spec.document;
  return backend.withLock(name, async () => {
    const stored = await backend.read(name);
    if (stored === undefined) {
      ctx.say(`cdktf-xero: ${name}: there is no document in ${backend.label}; nothing to retire.`);
      return hookResult("destroy", backend, name, "missing", undefined);
    }
    if (!recordsRun(stored.values, run)) {
      ctx.say(`cdktf-xero: ${name}: left as it is: ${describeMismatch(stored, run)}.`);
      return hookResult("destroy", backend, name, "superseded", stored);
    }
    if (stored.values[CommonOutputs.names.retired] === true) {
      ctx.say(`cdktf-xero: ${name}: already retired in ${backend.label} (serial ${stored.serial}); nothing to do.`);
      return hookResult("destroy", backend, name, "already_retired", stored);
    }
    await steps.beforeRetire?.(stored);
    const retired = await backend.retire(name);
    ctx.say(`cdktf-xero: ${name}: retired in ${backend.label} (serial ${retired?.serial ?? "?"}; outputs and history kept).`);
    steps.afterRetire();
    return hookResult("destroy", backend, name, "retired", retired);
  });
}

function describeMismatch(stored: StoredDocument, run: HookRun): string {
  const sha = stored.values[CommonOutputs.names.specSha256];
  const generation = stored.values[CommonOutputs.names.appliedGeneration] ?? stored.values[CommonOutputs.names.generation];
  const ours = `spec ${run.specSha256.slice(0, 12)}, generation ${run.generation}`;
  if (typeof sha !== "string") return `it records no completed apply (generation ${String(generation)}), so this run (${ours}) has nothing to retire`;
  return (
    `it records spec ${sha.slice(0, 12)}, generation ${String(generation)}, not this run's (${ours}): ` +
    `a newer apply superseded it`
  );
}
