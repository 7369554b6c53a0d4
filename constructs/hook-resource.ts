/**
 * Which Terraform resource carries a construct's hooks.
 *
 * - `TERRAFORM_DATA` (default): Terraform's built-in `terraform_data` (Terraform ≥ 1.4, OpenTofu);
 *   no provider download, works air-gapped.
 * - `NULL_RESOURCE`: `null_resource` from hashicorp/null (via @cdktf/provider-null), for older
 *   toolchains; `terraform init` must be able to download the null provider.
 */
export const XeroHookResource = {
  TERRAFORM_DATA: "terraform_data",
  NULL_RESOURCE: "null_resource",
} as const;

export type XeroHookResourceType = (typeof XeroHookResource)[keyof typeof XeroHookResource];

export const HOOK_RESOURCE_TYPES: readonly XeroHookResourceType[] = Object.values(XeroHookResource);
