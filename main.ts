/**
 * The reference app: the stack a platform team would write for its Xero integrations.
 *
 * - a Custom Connection ("Ledger sync") linked to one organisation, proven with client credentials;
 * - a Web app ("Customer portal") whose client id and secret are proven live;
 * - a PKCE app ("Field app", no secret);
 * - a rotation policy for the Custom Connection's secret (90 days; stage a new one with
 *   `cdktf-xero secret stage xero-integrations/LedgerSync`, then deploy).
 *
 * Client ids are not secret and come from the environment here so one file serves the emulator demo
 * (`npm start`) and real Xero; secrets are only ever references (`XeroSecret.fromEnv`), read by the
 * hooks when Terraform runs. State goes to PostgreSQL when `PG_CONN_STR` is set, else to local files.
 */
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import {
  Duration,
  XeroAppRegistration,
  XeroCustomConnection,
  XeroScopes,
  XeroSecret,
  XeroSecretRotation,
  XeroStackDefaults,
  XeroState,
} from "./index";

/** What the reference stack needs to know that differs between Xero and the emulator. */
export interface ReferenceAppConfig {
  readonly syncClientId: string;
  readonly webClientId: string;
  readonly pkceClientId: string;
  /** @default - any single organisation is accepted and recorded */
  readonly expectedTenantId?: string;
  /** @default false (local files under .cdktf-xero/state) */
  readonly usePostgres?: boolean;
}

/** The environment variables the reference app reads at synth (none of them secret). */
export const ReferenceAppEnv = {
  syncClientId: "XERO_SYNC_CLIENT_ID",
  webClientId: "XERO_WEB_CLIENT_ID",
  pkceClientId: "XERO_PKCE_CLIENT_ID",
  expectedTenantId: "XERO_SYNC_TENANT_ID",
  /** Read by the hooks at deploy time, never at synth. */
  syncClientSecret: "XERO_SYNC_CLIENT_SECRET",
  webClientSecret: "XERO_WEB_CLIENT_SECRET",
} as const;

/** Reads {@link ReferenceAppConfig} from an environment, naming every variable that is missing. */
export function referenceAppConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ReferenceAppConfig {
  const required = [ReferenceAppEnv.syncClientId, ReferenceAppEnv.webClientId, ReferenceAppEnv.pkceClientId];
  const missing = required.filter((name) => (env[name] ?? "").trim() === "");
  if (missing.length > 0) {
    throw new Error(
      `main.ts: set ${missing.join(", ")} to the client ids of your Xero apps (developer.xero.com, My Apps), ` +
        `or run \`npm start\` to deploy against the embedded emulator`,
    );
  }
  const expectedTenantId = env[ReferenceAppEnv.expectedTenantId]?.trim();
  return {
    syncClientId: env[ReferenceAppEnv.syncClientId]!.trim(),
    webClientId: env[ReferenceAppEnv.webClientId]!.trim(),
    pkceClientId: env[ReferenceAppEnv.pkceClientId]!.trim(),
    ...(expectedTenantId ? { expectedTenantId } : {}),
    usePostgres: (env.PG_CONN_STR ?? "") !== "",
  };
}

export class XeroIntegrationsStack extends TerraformStack {
  readonly ledgerSync: XeroAppRegistration;
  readonly ledgerLink: XeroCustomConnection;
  readonly customerPortal: XeroAppRegistration;
  readonly fieldApp: XeroAppRegistration;
  readonly ledgerSyncRotation: XeroSecretRotation;

  constructor(scope: Construct, id: string, config: ReferenceAppConfig) {
    super(scope, id);
    // Relative to the stack directory (cdktf.out/stacks/<id>), so cdk.tf.json holds no path of this machine.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    XeroStackDefaults.set(this, {
      state: config.usePostgres ? XeroState.postgres({ schema: "cdktf_xero" }) : XeroState.local(".cdktf-xero/state"),
    });

    this.ledgerSync = XeroAppRegistration.customConnection(this, "LedgerSync", {
      appName: "Ledger sync",
      clientId: config.syncClientId,
      clientSecret: XeroSecret.fromEnv(ReferenceAppEnv.syncClientSecret),
      scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ, XeroScopes.ACCOUNTING_SETTINGS_READ],
    });
    this.ledgerLink = new XeroCustomConnection(this, "LedgerLink", {
      app: this.ledgerSync,
      ...(config.expectedTenantId === undefined ? {} : { expectedTenantId: config.expectedTenantId }),
      waitForLink: Duration.minutes(2),
    });
    this.ledgerSyncRotation = new XeroSecretRotation(this, "LedgerSyncRotation", {
      app: this.ledgerSync,
      maxAge: Duration.days(90),
    });
    this.customerPortal = XeroAppRegistration.web(this, "CustomerPortal", {
      appName: "Customer portal",
      clientId: config.webClientId,
      clientSecret: XeroSecret.fromEnv(ReferenceAppEnv.webClientSecret),
      redirectUris: ["https://portal.example.com/xero/callback", "http://localhost:3000/xero/callback"],
      scopes: [XeroScopes.OPENID, XeroScopes.PROFILE, XeroScopes.EMAIL, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES],
    });
    this.fieldApp = XeroAppRegistration.pkce(this, "FieldApp", {
      appName: "Field app",
      clientId: config.pkceClientId,
      redirectUris: ["http://localhost:8765/callback"],
      scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_CONTACTS_READ],
    });

    new TerraformOutput(this, "ledger_tenant_id", { value: this.ledgerLink.tenantId });
    new TerraformOutput(this, "ledger_tenant_name", { value: this.ledgerLink.tenantName });
    new TerraformOutput(this, "ledger_jdbc_url", { value: this.ledgerSync.jdbcUrl });
    new TerraformOutput(this, "portal_jdbc_url", { value: this.customerPortal.jdbcUrl });
    new TerraformOutput(this, "field_app_jdbc_url", { value: this.fieldApp.jdbcUrl });
    new TerraformOutput(this, "ledger_secret_next_due", { value: this.ledgerSyncRotation.nextDue });
  }
}

if (require.main === module) {
  const app = new App();
  new XeroIntegrationsStack(app, "xero-integrations", referenceAppConfigFromEnv(process.env));
  app.synth();
}
