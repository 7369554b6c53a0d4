import type { IConstruct } from "constructs";
import { XeroConstructError } from "./errors";
import type { XeroHookResourceType } from "./hook-resource";
import type { XeroState } from "./xero-state";

/** Settings every cdktf-xero construct under a scope uses unless it sets its own. */
export interface XeroStackDefaultsProps {
  /**
   * Where documents live.
   *
   * @default - XeroState.local(".cdktf-xero/state"), in the project
   */
  readonly state?: XeroState;
  /**
   * Which resource carries the hooks.
   *
   * @default "terraform_data"
   */
  readonly hookResource?: XeroHookResourceType;
}

const defaultsByScope = new WeakMap<IConstruct, XeroStackDefaultsProps>();
const IS_XERO_CONSTRUCT = Symbol.for("cdktf-xero.construct");

/** Marks a construct as one of ours, so {@link XeroStackDefaults.set} can check ordering. */
export function markXeroConstruct(construct: IConstruct): void {
  Object.defineProperty(construct, IS_XERO_CONSTRUCT, { value: true });
}

/**
 * Per-stack (or any subtree) defaults for the cdktf-xero constructs.
 *
 * @example
 * const stack = new TerraformStack(app, "prod");
 * XeroStackDefaults.set(stack, { state: XeroState.postgres({ schema: "cdktf_xero" }), hookResource: "null_resource" });
 * new XeroAppRegistration(stack, "Sync", { ... }); // uses both
 */
export class XeroStackDefaults {
  /**
   * Sets the defaults for every cdktf-xero construct created under `scope` afterwards; the nearest
   * scope with defaults wins, per setting. Call it before creating those constructs: they read
   * their settings when constructed.
   */
  static set(scope: IConstruct, defaults: XeroStackDefaultsProps): void {
    const existing = scope.node.findAll().find((c) => IS_XERO_CONSTRUCT in c);
    if (existing !== undefined) {
      throw new XeroConstructError([
        `${scope.node.path || "<app>"}: XeroStackDefaults.set must come before the cdktf-xero constructs it should apply to, but ${existing.node.path} already exists; move the call up`,
      ]);
    }
    defaultsByScope.set(scope, { ...defaultsByScope.get(scope), ...defaults });
  }

  /** The effective defaults for a construct: each setting from the nearest scope that has it. */
  static of(construct: IConstruct): XeroStackDefaultsProps {
    let state: XeroState | undefined;
    let hookResource: XeroHookResourceType | undefined;
    for (const scope of [...construct.node.scopes].reverse()) {
      const found = defaultsByScope.get(scope);
      state ??= found?.state;
      hookResource ??= found?.hookResource;
    }
    return { ...(state === undefined ? {} : { state }), ...(hookResource === undefined ? {} : { hookResource }) };
  }
}
