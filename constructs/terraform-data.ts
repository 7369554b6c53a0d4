/**
 * Terraform's built-in `terraform_data`, the default hook resource (hook-resource.ts), rendered as
 * cdktf's `DataResource` renders it, without `DataResource`'s own Terraform version check.
 *
 * `DataResource` adds a validation to every instance that runs `terraform version` through a shell
 * when the app synthesizes: two per construct here (Init and Resource), each a Terraform start of
 * about 0.3 s, so a stack of 20 apps and their 20 links took 23-33 s to synthesize instead of about
 * 1 s. The same check (Terraform 1.4 or later, the first with `terraform_data`) is made here once per
 * stack ({@link requireTerraformData}) and its answer kept for the process, per Terraform binary.
 */
import { execFileSync } from "node:child_process";
import {
  anyToHclTerraform,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
  TerraformResource,
  TerraformStack,
  type TerraformMetaArguments,
} from "cdktf";
import type { Construct, IValidation } from "constructs";

export interface TerraformDataConfig extends TerraformMetaArguments {
  /** Stored in the resource's state and shown as `output` after apply. @default none */
  readonly input?: Readonly<Record<string, unknown>>;
  /** A change of any value replaces the resource. @default none */
  readonly triggersReplace?: Readonly<Record<string, string>>;
}

/** One `terraform_data` resource; see the module comment for why not cdktf's `DataResource`. */
export class TerraformData extends TerraformResource {
  static readonly tfResourceType = "terraform_data";

  private readonly input?: Readonly<Record<string, unknown>>;
  private readonly triggersReplace?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, config: TerraformDataConfig = {}) {
    super(scope, id, {
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: "terraform" },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.input = config.input;
    this.triggersReplace = config.triggersReplace;
    requireTerraformData(TerraformStack.of(this));
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      input: hashMapper(anyToTerraform)(this.input),
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace),
    };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return {
      input: hashMapperHcl(anyToHclTerraform)(this.input),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplace),
    };
  }
}

/** The first Terraform release with `terraform_data`. */
const TERRAFORM_DATA_SINCE = [1, 4] as const;

const stacksChecked = new WeakSet<TerraformStack>();
/** Problems found with each Terraform binary, by its name or path: one `version` run per process. */
const versionProblems = new Map<string, readonly string[]>();

/** Adds the Terraform version check to `stack`, once. */
export function requireTerraformData(stack: TerraformStack): void {
  if (stacksChecked.has(stack)) return;
  stacksChecked.add(stack);
  stack.node.addValidation(terraformDataSupport());
}

/**
 * Whether the Terraform that will apply the stack supports `terraform_data`: the binary cdktf
 * itself runs (`TERRAFORM_BINARY_NAME`, else `terraform`), asked once per process.
 */
export function terraformDataSupport(env: Readonly<Record<string, string | undefined>> = process.env): IValidation {
  return {
    validate: () => {
      const binary = env["TERRAFORM_BINARY_NAME"] || "terraform";
      let problems = versionProblems.get(binary);
      if (problems === undefined) {
        problems = terraformDataProblems(binary);
        versionProblems.set(binary, problems);
      }
      return [...problems];
    },
  };
}

function terraformDataProblems(binary: string): readonly string[] {
  let printed: string;
  try {
    printed = execFileSync(binary, ["version"], { stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    return [
      `could not run \`${binary} version\` (${error instanceof Error ? error.message : String(error)}): the hooks' terraform_data resources need Terraform 1.4 or later on PATH ` +
        `(or TERRAFORM_BINARY_NAME naming it); install it, or set hookResource: XeroHookResource.NULL_RESOURCE`,
    ];
  }
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(printed);
  if (version === null) return [`could not read a version in what \`${binary} version\` printed: ${JSON.stringify(printed.slice(0, 200))}`];
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const [wantMajor, wantMinor] = TERRAFORM_DATA_SINCE;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return [];
  return [
    `${binary} is version ${version[0]}, and the hooks' terraform_data resources need ${wantMajor}.${wantMinor} or later: ` +
      `upgrade Terraform, or set hookResource: XeroHookResource.NULL_RESOURCE (hashicorp/null, downloaded by terraform init)`,
  ];
}
