/**
 * What `@cdktf/provider-null` becomes in the CDK Terrain build (dist/cdktn/, made by
 * scripts/build-cdktn-entry.ts). The null provider has no cdktn build, and its classes extend
 * cdktf's, which a cdktn App does not accept as its own; so under cdktn the `null_resource` hook
 * mode fails at synth, saying what to use instead. `terraform_data`, the default, needs no provider.
 */
import type { Construct } from "constructs";
import { XeroConstructError } from "../constructs/errors";

function unavailable(scope: Construct): never {
  throw new XeroConstructError([
    `${scope.node.path}: hookResource "null_resource" needs @cdktf/provider-null, which has no CDK Terrain (cdktn) build; ` +
      `under cdktn use "terraform_data" (XeroHookResource.TERRAFORM_DATA, the default, built into Terraform >= 1.4 and OpenTofu)`,
  ]);
}

export class NullProvider {
  constructor(scope: Construct) {
    unavailable(scope);
  }
}

export class Resource {
  constructor(scope: Construct) {
    unavailable(scope);
  }
}
