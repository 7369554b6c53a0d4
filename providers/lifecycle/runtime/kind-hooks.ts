import type { HookSpec } from "../../../contract/hook-spec";
import type { HookContext } from "./context";
import type { HookRun } from "./inputs";
import type { HookResult } from "./result";

/** The spec of one kind of the contract's union. */
export type SpecOfKind<K extends HookSpec["kind"]> = Extract<HookSpec, { readonly kind: K }>;

/**
 * What one kind does in the hooks. `init` is the runtime's for every kind (init.ts); a kind adds only
 * what must be there before anything is created.
 */
export interface KindHooks<S extends HookSpec = HookSpec> {
  /**
   * `hook init`'s checks beyond "the backend answers", run in this order; each failure is collected
   * into one HOOK_NOT_READY (preflight.ts).
   */
  readyChecks(spec: S, ctx: HookContext): ReadonlyArray<() => Promise<void>>;
  apply(spec: S, run: HookRun, ctx: HookContext): Promise<HookResult>;
  destroy(spec: S, run: HookRun, ctx: HookContext): Promise<HookResult>;
}

/** One entry per kind of the contract's union: TypeScript rejects a kind without hooks. */
export type HooksByKind = { readonly [K in HookSpec["kind"]]: KindHooks<SpecOfKind<K>> };
