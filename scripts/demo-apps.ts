/**
 * The reference app's Xero side on the emulator, for `npm start` and the cdktn test: the three apps
 * and the organisation a person would set up in Xero's developer portal, and the variables a
 * pipeline would carry to the deploy.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningEmulator } from "../emulator";
import { ReferenceAppEnv } from "../main";

/** What a person would set up in the developer portal, and the variables a pipeline would carry. */
export async function registerDemoApps(emulator: RunningEmulator): Promise<Record<string, string>> {
  const { admin } = emulator;
  const sync = await admin.createApp({
    kind: "custom_connection",
    name: "Ledger sync",
    scopes: ["accounting.invoices.read", "accounting.contacts.read", "accounting.settings.read"],
  });
  const { tenantId } = await admin.createOrg({ name: "Demo Company (AU)", type: "ORGANISATION" });
  await admin.link(sync.clientId, tenantId);
  const web = await admin.createApp({
    kind: "web",
    name: "Customer portal",
    scopes: ["openid", "profile", "email", "offline_access", "accounting.invoices"],
    redirectUris: ["https://portal.example.com/xero/callback", "http://localhost:3000/xero/callback"],
  });
  const pkce = await admin.createApp({
    kind: "pkce",
    name: "Field app",
    scopes: ["openid", "offline_access", "accounting.contacts.read"],
    redirectUris: ["http://localhost:8765/callback"],
  });
  return {
    XERO_LOGIN_URL: emulator.loginUrl,
    XERO_IDENTITY_URL: emulator.identityUrl,
    XERO_API_URL: emulator.apiUrl,
    [ReferenceAppEnv.syncClientId]: sync.clientId,
    [ReferenceAppEnv.syncClientSecret]: sync.clientSecret ?? "",
    [ReferenceAppEnv.expectedTenantId]: tenantId,
    [ReferenceAppEnv.webClientId]: web.clientId,
    [ReferenceAppEnv.webClientSecret]: web.clientSecret ?? "",
    [ReferenceAppEnv.pkceClientId]: pkce.clientId,
  };
}

/** Terraform warns on every command when TF_CLI_CONFIG_FILE names a missing file: give it an empty one. */
export function terraformEnv(scratch: string): Record<string, string> {
  const configured = process.env.TF_CLI_CONFIG_FILE;
  const env: Record<string, string> = { CHECKPOINT_DISABLE: "1" };
  if (configured === undefined || configured === "" || !existsSync(configured)) {
    const file = join(scratch, "terraformrc");
    writeFileSync(file, "");
    env.TF_CLI_CONFIG_FILE = file;
  }
  return env;
}

