/**
 * The base of every hook-backed construct (XeroAppRegistration, XeroCustomConnection,
 * XeroSecretRotation): the findings, the placement (document, backend, hook resource), the order
 * after the app a construct uses, the spec, the four rendered parts (hook-parts.ts) and the
 * read-back attributes. A construct adds its props, its rules and its attributes. Internal: not
 * exported from the package.
 */
import { TerraformStack, type ITerraformDependable, type TerraformRemoteState, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { HookSpec } from "../contract/hook-spec";
import { HOOK_SPEC_VERSION, type KindFields, type RuleFindings } from "../contract/spec-common";
import type { StateBackendAddress } from "../contract/state-address";
import { documentNameFor, Findings, resolveBackend, resolveHookResource } from "./construct-support";
import type { XeroHookResourceType } from "./hook-resource";
import { renderHookParts, type HookParts, type HookPartsProps } from "./hook-parts";
import { markXeroConstruct } from "./stack-defaults";

/** Where a construct's hooks keep their document, and which resource carries them. */
export interface HookPlacement {
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly hookResource: XeroHookResourceType;
}

/** What {@link XeroHookConstruct.render} needs besides the spec. */
export type RenderOptions = Omit<HookPartsProps, "spec" | "hookResource">;

/**
 * Props as a construct must read them: plain JavaScript callers (and casts) can pass anything, so
 * every field is checked before use.
 */
export function untrusted<Props extends object>(props: Props | undefined): Partial<Record<keyof Props, unknown>> {
  return props ?? {};
}

export abstract class XeroHookConstruct<Spec extends HookSpec> extends Construct {
  /** Errors and warnings found while reading the props; thrown together by {@link render}. */
  protected readonly findings: Findings;
  private rendered: { readonly spec: Spec; readonly parts: HookParts } | undefined;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    markXeroConstruct(this);
    this.findings = new Findings(this);
  }

  /** The hook spec this construct synthesizes (literal values only). */
  get spec(): Spec {
    return this.parts().spec;
  }

  /** The credential document's name, `<stack>/<construct path>`. */
  get documentName(): string {
    return this.parts().spec.document;
  }

  /** The primary hook resource (`Resource`); depend on it to run after this construct's hook. */
  get resource(): TerraformResource {
    return this.parts().parts.resource;
  }

  /** The status read (`Status`): the document before this deploy's hook ran. */
  protected get status(): TerraformRemoteState {
    return this.parts().parts.status;
  }

  /** An output of the document, read back after the hook ran. @returns a token */
  protected readString(name: string): string {
    return this.parts().parts.state.getString(name);
  }

  /** A list output of the document, read back after the hook ran. @returns a token list */
  protected readList(name: string): string[] {
    return this.parts().parts.state.getList(name);
  }

  /** The document named after this construct's path, and the backend and hook resource from the props or the stack defaults. */
  protected placement(props: { readonly state?: unknown; readonly hookResource?: unknown }): HookPlacement {
    return {
      document: documentNameFor(this, this.findings),
      backend: resolveBackend(this, props.state, this.findings),
      hookResource: resolveHookResource(this, props.hookResource, this.findings),
    };
  }

  /** Adds a kind's rule findings (contract/) to this construct's. */
  protected takeRules(rules: RuleFindings): void {
    for (const error of rules.errors) this.findings.error(error);
    for (const warning of rules.warnings) this.findings.warning(warning);
  }

  /**
   * Orders this construct's hook after `app`'s: in the same stack the resource depends on the
   * app's; in another stack, that stack deploys first.
   */
  protected after(app: { readonly resource: TerraformResource }): ITerraformDependable[] | undefined {
    const stack = TerraformStack.of(this);
    const appStack = TerraformStack.of(app as unknown as Construct);
    if (appStack === stack) return [app.resource];
    stack.addDependency(appStack);
    return undefined;
  }

  /**
   * Throws every error found (or records the warnings), then builds the spec (its fields are valid
   * from here on) and renders the four parts.
   */
  protected render<Kind extends Spec["kind"]>(
    kind: Kind,
    placement: HookPlacement,
    fields: () => KindFields<Extract<Spec, { kind: Kind }>>,
    options: RenderOptions,
  ): HookParts {
    this.findings.settle();
    const spec = { version: HOOK_SPEC_VERSION, kind, document: placement.document, backend: placement.backend, ...fields() } as unknown as Spec;
    const parts = renderHookParts(this, { ...options, spec, hookResource: placement.hookResource });
    this.rendered = { spec, parts };
    return parts;
  }

  private parts(): { readonly spec: Spec; readonly parts: HookParts } {
    if (this.rendered === undefined) throw new Error(`${this.node.path} is read before it rendered its hook parts`);
    return this.rendered;
  }
}
