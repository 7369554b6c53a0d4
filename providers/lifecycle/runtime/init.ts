import { CommonOutputs } from "../../../contract/document-codec";
import type { HookSpec } from "../../../contract/hook-spec";
import type { HookContext } from "./context";
import { checkDeployReady } from "./preflight";
import { hookResult, type HookResult } from "./result";

/**
 * `hook init`: first checks that this construct's deploy can succeed ({@link checkDeployReady}:
 * the backend, then the kind's `readyChecks`, e.g. state key, secret reference; all problems named,
 * nothing written), then
 * creates the document with `generation = 0` and nothing else when it does not exist,
 * so the status read has something to read. Idempotent; an existing document is left as it is,
 * retired or not (the next `apply` revives a retired one).
 */
export async function initDocument(spec: HookSpec, ctx: HookContext, readyChecks: ReadonlyArray<() => Promise<void>>): Promise<HookResult> {
  await checkDeployReady(spec, ctx, readyChecks);
  const backend = await ctx.backend(spec.backend);
  let created = false;
  const stored = await backend.update(spec.document, (current) => {
    if (current !== undefined) return undefined;
    created = true;
    return { [CommonOutputs.names.generation]: 0 };
  });
  const where = `${backend.label} (serial ${stored?.serial ?? "?"})`;
  if (created) {
    ctx.say(`cdktf-xero: ${spec.document}: created the document in ${where}, generation 0.`);
  } else if (stored?.values[CommonOutputs.names.retired] === true) {
    ctx.say(`cdktf-xero: ${spec.document}: the document exists in ${where} and is retired; the next apply revives it.`);
  } else {
    ctx.say(`cdktf-xero: ${spec.document}: the document exists in ${where}; nothing to do.`);
  }
  return hookResult("init", backend, spec.document, created ? "created" : "exists", stored);
}
