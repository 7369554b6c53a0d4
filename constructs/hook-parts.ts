/**
 * Renders the four Terraform parts every cdktf-xero construct consists of (design.md, "How a
 * deploy flows" and "Out-of-band triggers"). The construct ids are public API: changing one
 * replaces the resource in every deployed stack.
 *
 * - `Init`: hook resource with stable triggers (document, backend); its create-time provisioner
 *   runs `hook init`, which creates the document if it does not exist.
 * - `Status`: `terraform_remote_state` of the document, `depends_on` Init, with `defaults` for
 *   every output, so `generation` is readable before the first apply.
 * - `Resource`: the primary hook resource. Carries the spec; `[spec hash, generation]` force a
 *   replacement (create before destroy); runs `hook apply` on create and `hook destroy` on destroy.
 * - `State`: `terraform_remote_state` of the document, `depends_on` Resource: the read-back.
 */
import {
  Fn,
  Op,
  TerraformRemoteState,
  TerraformStack,
  Token,
  type ITerraformDependable,
  type TerraformResource,
} from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { Construct } from "constructs";
import { CommonOutputs, type DocumentValue } from "../contract/document-codec";
import { canonicalJson, hashCanonicalJson, HookEnv, type HookSpec, type HookVerb } from "../contract/hook-spec";
import { formatBackendAddress, localDocumentFile, type StateBackendAddress } from "../contract/state-address";
import type { XeroHookResourceType } from "./hook-resource";
import { TerraformData } from "./terraform-data";
import { cliScriptFromStackDirectory } from "./paths";

/** Construct ids of the four parts (public API). */
export const HookPartIds = { init: "Init", status: "Status", resource: "Resource", state: "State" } as const;

/** The id and alias of the null provider the null_resource mode adds once per stack. */
export const NULL_PROVIDER_ID = "CdktfXeroNullProvider";
export const NULL_PROVIDER_ALIAS = "cdktf_xero";

export interface HookPartsProps {
  readonly spec: HookSpec;
  readonly hookResource: XeroHookResourceType;
  /** Resources the hook must run after (e.g. a link's app registration). */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Whether the document's `due_at` schedules re-runs: the generation trigger becomes
   * `generation + 1` once `plantimestamp()` reaches `due_at`.
   *
   * @default false
   */
  readonly scheduled?: boolean;
  /**
   * What the status read assumes for each output the document does not have yet: its kind's
   * codec's `statusDefaults` (`generation` and `due_at` at least, which the triggers read).
   */
  readonly statusDefaults: Readonly<Record<string, DocumentValue>>;
}

export interface HookParts {
  readonly init: TerraformResource;
  readonly status: TerraformRemoteState;
  readonly resource: TerraformResource;
  readonly state: TerraformRemoteState;
  readonly specSha256: string;
}

/**
 * Terraform's JSON syntax reads every string as a template: a literal `${` or `%{` must be
 * written `$${` / `%%{`, or Terraform interpolates it.
 */
export function escapeTemplate(text: string): string {
  // Function replacers: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** {@link escapeTemplate} applied to every string in a JSON value. */
export function escapeTemplates(value: unknown): unknown {
  if (typeof value === "string") return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeTemplates(item)]));
  }
  return value;
}

/** A shell word for `sh -c`: bare when safe, single-quoted otherwise. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * `terraform_remote_state` of one credential document. cdktf's remote state has no `depends_on`;
 * it is added at synthesis (not as a token: tokens capture a stack trace each, which dominates
 * synth time at a thousand constructs).
 */
class DocumentRemoteState extends TerraformRemoteState {
  private readonly dependency: TerraformResource;

  constructor(
    scope: Construct,
    id: string,
    address: StateBackendAddress,
    document: string,
    options: { defaults?: Record<string, unknown>; dependsOn: TerraformResource },
  ) {
    const config =
      address.type === "local"
        ? { path: escapeTemplate(`${address.dir}/${localDocumentFile(document)}`) }
        : {
            schemaName: address.schema,
            workspace: escapeTemplate(document),
            // `hook init` (which every read depends on) has made the schema and table. Without these,
            // each read runs Terraform's CREATE ... IF NOT EXISTS, which races between parallel reads
            // and needs CREATE on `public` for its shared sequence.
            skipSchemaCreation: true,
            skipTableCreation: true,
            skipIndexCreation: true,
          };
    super(scope, id, address.type, { ...config, ...(options.defaults === undefined ? {} : { defaults: options.defaults }) });
    this.dependency = options.dependsOn;
  }

  override toTerraform(): Record<string, unknown> {
    return this.withDependsOn(super.toTerraform() as Record<string, unknown>);
  }

  override toHclTerraform(): Record<string, unknown> {
    return this.withDependsOn(super.toHclTerraform() as Record<string, unknown>);
  }

  private withDependsOn(rendered: Record<string, unknown>): Record<string, unknown> {
    const blocks = (rendered["data"] as { terraform_remote_state: Record<string, Record<string, unknown>> }).terraform_remote_state;
    const own = blocks[this.friendlyUniqueId];
    if (own !== undefined) own["depends_on"] = [`${this.dependency.terraformResourceType}.${this.dependency.friendlyUniqueId}`];
    return rendered;
  }
}

/** The stack's aliased null provider, created on first use; aliased so it never clashes with the user's own. */
function nullProvider(scope: Construct): NullProvider {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(NULL_PROVIDER_ID);
  if (existing instanceof NullProvider) return existing;
  return new NullProvider(stack, NULL_PROVIDER_ID, { alias: NULL_PROVIDER_ALIAS });
}

/** Renders Init, Status, Resource and State under `scope`. */
export function renderHookParts(scope: Construct, props: HookPartsProps): HookParts {
  const { spec } = props;
  const canonical = canonicalJson(spec);
  const specSha256 = hashCanonicalJson(canonical);
  const specJson = escapeTemplate(canonical);
  const cli = shellWord(escapeTemplate(cliScriptFromStackDirectory(scope)));
  const command = (verb: HookVerb): string => `node ${cli} hook ${verb}`;
  const stableTriggers = {
    document: escapeTemplate(spec.document),
    backend: escapeTemplate(formatBackendAddress(spec.backend)),
  };
  const isNull = props.hookResource === "null_resource";
  const provider = isNull ? nullProvider(scope) : undefined;

  const initProvisioner = { type: "local-exec" as const, command: command("init"), environment: { [HookEnv.spec]: specJson } };
  const init: TerraformResource = isNull
    ? new NullResource(scope, HookPartIds.init, { provider, triggers: stableTriggers, provisioners: [initProvisioner] })
    : new TerraformData(scope, HookPartIds.init, { triggersReplace: stableTriggers, provisioners: [initProvisioner] });

  const status = new DocumentRemoteState(scope, HookPartIds.status, spec.backend, spec.document, {
    defaults: { ...props.statusDefaults },
    dependsOn: init,
  });
  const recorded = status.getNumber(CommonOutputs.names.generation);
  // timecmp is -1, 0 or 1; "> -1" because cdktf 0.21 renders a literal 0 operand as "undefined".
  const generation = props.scheduled
    ? (Fn.conditional(Op.gt(Fn.timecmp(Fn.plantimestamp(), status.getString(CommonOutputs.names.dueAt)), -1), Op.add(recorded, 1), recorded) as number)
    : recorded;

  const selfRef = isNull
    ? { spec: "${self.triggers.spec}", sha: "${self.triggers.spec_sha256}", generation: "${self.triggers.generation}" }
    : { spec: "${jsonencode(self.input)}", sha: "${self.triggers_replace[0]}", generation: "${self.triggers_replace[1]}" };
  // Destroy-time provisioners may only reference self, so both read everything from self.
  const environment = { [HookEnv.spec]: selfRef.spec, [HookEnv.specSha256]: selfRef.sha, [HookEnv.generation]: selfRef.generation };
  const provisioners = [
    { type: "local-exec" as const, command: command("apply"), environment },
    { type: "local-exec" as const, when: "destroy" as const, command: command("destroy"), environment },
  ];
  // A replacement runs the new spec's apply before the old spec's destroy (see contract/hook-spec.ts).
  const lifecycle = { createBeforeDestroy: true };

  let resource: TerraformResource;
  if (isNull) {
    resource = new NullResource(scope, HookPartIds.resource, {
      provider,
      triggers: { spec: specJson, spec_sha256: specSha256, generation: Token.asString(generation) },
      provisioners,
      lifecycle,
      dependsOn: props.dependsOn,
    });
  } else {
    const data = new TerraformData(scope, HookPartIds.resource, {
      input: escapeTemplates(spec) as Record<string, unknown>,
      provisioners,
      lifecycle,
      dependsOn: props.dependsOn,
    });
    // A list, not the map DataConfig types: terraform_data accepts any value here.
    data.addOverride("triggers_replace", [specSha256, generation]);
    resource = data;
  }

  const state = new DocumentRemoteState(scope, HookPartIds.state, spec.backend, spec.document, { dependsOn: resource });
  return { init, status, resource, state, specSha256 };
}
