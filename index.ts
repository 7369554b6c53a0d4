// Package root: what `import … from "cdktf-xero"` gives. Only the constructs; the CLI and the
// providers are reached through the `cdktf-xero` command.
export * from "./constructs";
