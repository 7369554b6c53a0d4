// The README's "Test your stacks" example, as it stands there: cdktf's Testing matchers on our constructs.
import { DataResource, DataTerraformRemoteStateLocal, Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest"; // the matchers' types; Testing.setupJest() below registers them
import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret } from "cdktf-xero";

Testing.setupJest();

describe("the billing stack", () => {
  const synthesized = Testing.synthScope((stack) => {
    const sync = new XeroAppRegistration(stack, "Sync", {
      kind: XeroAppKind.CUSTOM_CONNECTION,
      appName: "Nightly sync",
      clientId: "6E4D953BAAE949D1A1B399307AD58B94",
      clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
      scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
    });
    new XeroCustomConnection(stack, "SyncLink", { app: sync, expectedTenantId: "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4" });
  });

  it("proves the Custom Connection with a secret read from the environment at deploy time", () => {
    expect(synthesized).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({
        kind: "app_registration",
        clientId: "6E4D953BAAE949D1A1B399307AD58B94",
        clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
      }),
    });
  });

  it("links the Custom Connection to the expected organisation", () => {
    expect(synthesized).toHaveResourceWithProperties(DataResource, {
      input: expect.objectContaining({ kind: "custom_connection_link", expectedTenantId: "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4" }),
    });
  });

  it("reads each construct's credential document back with terraform_remote_state", () => {
    expect(synthesized).toHaveDataSourceWithProperties(DataTerraformRemoteStateLocal, {
      backend: "local",
      config: { path: expect.stringMatching(/\.cdktf-xero\/state\/stack\/SyncLink\.tfstate$/) },
    });
  });
});
