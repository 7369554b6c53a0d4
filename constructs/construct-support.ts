/**
 * What both constructs need before rendering: collecting findings with the construct path, the
 * document name, and the effective state backend and hook resource.
 */
import { Annotations, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { checkDocumentName, checkDocumentNameLength, type StateBackendAddress } from "../contract/state-address";
import { describeValue, XeroConstructError } from "./errors";
import type { FieldCheck } from "./field-rules";
import { HOOK_RESOURCE_TYPES, type XeroHookResourceType } from "./hook-resource";
import { XeroStackDefaults } from "./stack-defaults";
import { XeroState } from "./xero-state";

/** Errors and warnings for one construct; errors are thrown together, warnings become annotations. */
export class Findings {
  private readonly errors: string[] = [];
  private readonly warnings: string[] = [];

  constructor(private readonly construct: IConstruct) {}

  take<T>(check: FieldCheck<T>): T {
    this.errors.push(...check.errors);
    this.warnings.push(...check.warnings);
    return check.value;
  }

  error(message: string): void {
    this.errors.push(message);
  }

  warning(message: string): void {
    this.warnings.push(message);
  }

  hasErrors(): boolean {
    return this.errors.length > 0;
  }

  /** Throws every error (each line prefixed with the construct path), or records the warnings. */
  settle(): void {
    const path = this.construct.node.path;
    if (this.errors.length > 0) throw new XeroConstructError(this.errors.map((message) => `${path}: ${message}`));
    for (const warning of this.warnings) Annotations.of(this.construct).addWarning(warning);
  }
}

/** `<stack>/<construct path below the stack>`: the construct's credential document. */
export function documentNameFor(construct: IConstruct, findings: Findings): string {
  const stack = TerraformStack.of(construct);
  const below = construct.node.path.slice(stack.node.path.length).replace(/^\//, "");
  const name = `${stack.node.id}/${below}`;
  const tooLong = checkDocumentNameLength(name);
  const problem = tooLong === undefined ? checkDocumentName(name) : undefined;
  if (tooLong !== undefined) {
    findings.error(`this construct's path cannot name its credential document: ${tooLong}; use shorter construct ids (or stack name)`);
  } else if (problem !== undefined) {
    findings.error(
      `this construct's path cannot name its credential document: ${problem}; use construct ids of letters, digits, ".", "_" and "-"`,
    );
  }
  return name;
}

/** The backend from the prop, else the stack defaults, else the embedded local default. */
export function resolveBackend(construct: IConstruct, prop: unknown, findings: Findings): StateBackendAddress {
  const chosen = prop ?? XeroStackDefaults.of(construct).state ?? XeroState.local();
  if (!XeroState.isXeroState(chosen)) {
    findings.error(`state must be XeroState.local(dir) or XeroState.postgres({ schema }), got ${describeValue(chosen)}`);
    return { type: "local", dir: "." };
  }
  const bound = chosen.bind(construct);
  if ("problem" in bound) {
    findings.error(`state ${bound.problem}`);
    return { type: "local", dir: "." };
  }
  return bound.address;
}

/** The hook resource from the prop, else the stack defaults, else `terraform_data`. */
export function resolveHookResource(construct: IConstruct, prop: unknown, findings: Findings): XeroHookResourceType {
  const chosen: unknown = prop ?? XeroStackDefaults.of(construct).hookResource ?? "terraform_data";
  if (typeof chosen === "string" && (HOOK_RESOURCE_TYPES as readonly string[]).includes(chosen)) return chosen as XeroHookResourceType;
  findings.error(
    `hookResource must be "terraform_data" or "null_resource" (XeroHookResource.TERRAFORM_DATA or .NULL_RESOURCE), got ${describeValue(chosen)}`,
  );
  return "terraform_data";
}
