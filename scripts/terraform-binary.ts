/**
 * Which Terraform binary to run: `TERRAFORM_BINARY_NAME` when set (the variable cdktf and cdktn
 * themselves honour, so `cdktf deploy` and our own calls run the same binary), else `terraform`.
 * Only Terraform 1.11.4 is tested; an OpenTofu binary (`TERRAFORM_BINARY_NAME=tofu`) is untested.
 */
export function terraformBinary(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const chosen = env.TERRAFORM_BINARY_NAME?.trim();
  return chosen === undefined || chosen === "" ? "terraform" : chosen;
}
