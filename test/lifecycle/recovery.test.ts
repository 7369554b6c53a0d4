import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroHookResource, XeroScopes, XeroSecret, XeroState } from "../../index";
import { XeroIntegrationsStack } from "../../main";
import { findInitResource, withRecoveryAdvice } from "../../providers/lifecycle/runtime/recovery";
import { StateCorruptError } from "../../providers/state";

/** providers/lifecycle/runtime/recovery.ts: the exact Init resource a damaged document's advice names, read from the synthesized stacks. */

let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "cdktf-xero-recovery-"));
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

function synthesizeReferenceApp(outdir = "cdktf.out"): void {
  writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.js", ...(outdir === "cdktf.out" ? {} : { output: outdir }) }));
  const app = new App({ outdir: join(project, outdir), skipValidation: true });
  new XeroIntegrationsStack(app, "xero-integrations", {
    syncClientId: "6E4D953BAAE949D1A1B399307AD58B94",
    webClientId: "7E4D953BAAE949D1A1B399307AD58B94",
    pkceClientId: "8E4D953BAAE949D1A1B399307AD58B94",
  });
  app.synth();
}

const corrupt = (document: string): StateCorruptError => new StateCorruptError(document, `/state/${document}.tfstate`, "is not valid JSON (Unexpected end of JSON input)");

describe("finding a document's Init resource in the synthesized stacks", () => {
  it("finds a rotation's Init resource by its document, though the document is named after the app, not the rotation", async () => {
    synthesizeReferenceApp();
    expect(await findInitResource("xero-integrations/LedgerSync/rotation", project)).toEqual({
      address: expect.stringMatching(/^terraform_data\.LedgerSyncRotation_Init_[0-9A-F]{8}$/),
      stack: "xero-integrations",
      stackDirectory: join("cdktf.out", "stacks", "xero-integrations"),
    });
  });

  it("finds a null_resource Init resource in the stacks under cdktf.json's output directory", async () => {
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.js", output: "synth" }));
    const app = new App({ outdir: join(project, "synth"), skipValidation: true });
    const stack = new TerraformStack(app, "billing");
    new XeroAppRegistration(stack, "Sync", {
      kind: XeroAppKind.CUSTOM_CONNECTION,
      appName: "Nightly sync",
      clientId: "6E4D953BAAE949D1A1B399307AD58B94",
      clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
      scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
      state: XeroState.local(join(project, "state")),
      hookResource: XeroHookResource.NULL_RESOURCE,
    });
    app.synth();
    expect(await findInitResource("billing/Sync", project)).toEqual({
      address: expect.stringMatching(/^null_resource\.Sync_Init_[0-9A-F]{8}$/),
      stack: "billing",
      stackDirectory: join("synth", "stacks", "billing"),
    });
  });

  it("finds nothing when no synthesized stack declares the document", async () => {
    synthesizeReferenceApp();
    expect(await findInitResource("xero-integrations/Gone", project)).toBeUndefined();
  });
});

describe("the STATE_CORRUPT advice at the CLI's edge", () => {
  it("names the exact terraform apply -replace and cdktf deploy commands for the document's construct", async () => {
    synthesizeReferenceApp();
    const init = await findInitResource("xero-integrations/CustomerPortal", project);
    const error = (await withRecoveryAdvice(corrupt("xero-integrations/CustomerPortal"), join(project, "cdktf.out", "stacks", "xero-integrations"))) as Error;
    expect(error.message).toBe(
      `state document "xero-integrations/CustomerPortal" at /state/xero-integrations/CustomerPortal.tfstate is not valid JSON ` +
        `(Unexpected end of JSON input); it was left untouched. Restore it from a backup, or remove it, then run its construct's ` +
        `Init hook again, which recreates it: \`terraform apply -replace=${init!.address}\` in cdktf.out/stacks/xero-integrations, or ` +
        `\`TF_CLI_ARGS_apply=-replace=${init!.address} npx cdktf deploy xero-integrations\` from the project directory; a plain ` +
        `\`cdktf deploy\` does not run an Init hook that already ran (\`cdktf-xero state history xero-integrations/CustomerPortal\` ` +
        `shows what last changed it).`,
    );
  });

  it("keeps the generic advice, which says how to find the address, when no synthesized stack names the document", async () => {
    const before = corrupt("billing/Sync").message;
    const error = (await withRecoveryAdvice(corrupt("billing/Sync"), project)) as Error;
    expect(error.message).toBe(before);
    expect(error.message).toContain("`terraform state list` there lists it as <type>.<construct>_Init_<hash>; the one whose triggers name \"billing/Sync\"");
  });
});
