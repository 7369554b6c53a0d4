import "cdktf/lib/testing/adapters/jest"; // the matchers' types; Testing.setupJest() below registers them
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalBackend, TerraformStack, Testing, type App } from "cdktf";
import type { IConstruct } from "constructs";
import {
  XeroAppKind,
  XeroAppRegistration,
  XeroConstructError,
  XeroScopes,
  XeroSecret,
  type XeroAppRegistrationProps,
} from "../../index";

Testing.setupJest();

export const CLIENT_ID = "6E4D953BAAE949D1A1B399307AD58B94";
export const OTHER_CLIENT_ID = "0A1B2C3D4E5F60718293A4B5C6D7E8F9";
export const TENANT_ID = "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4";

/**
 * A test app synthesizing to `cdktf.out` in the project root, as `cdktf synth` does, so paths in
 * the output are the ones a real project gets (`../../dist/cli/hook-launcher.js`).
 */
export function testApp(): App {
  const outdir = path.resolve("cdktf.out");
  // cdktf creates the directory without `recursive`, which races between jest workers.
  fs.mkdirSync(outdir, { recursive: true });
  return Testing.app({ outdir });
}

/** A stack named `prod` whose own Terraform state path is relative (cdktf's default is absolute). */
export function testStack(app: App = testApp(), id = "prod"): TerraformStack {
  const stack = new TerraformStack(app, id);
  new LocalBackend(stack, { path: `terraform.${id}.tfstate` });
  return stack;
}

/** The synthesized stack as an object. */
export function synthObject(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

export interface SynthesizedStack {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
}

/** The one element of a type whose logical id starts with `prefix` (ids end in a hash). */
export function element(
  synthesized: SynthesizedStack,
  block: "resource" | "data",
  type: string,
  prefix: string,
): { id: string; body: Record<string, unknown> } {
  const entries = Object.entries(synthesized[block]?.[type] ?? {}).filter(([id]) => new RegExp(`^${prefix}_[0-9A-F]{8}$`).test(id));
  if (entries.length !== 1) throw new Error(`expected one ${block}.${type} ${prefix}_<hash>, found ${entries.map(([id]) => id).join(", ") || "none"}`);
  const [id, body] = entries[0]!;
  return { id, body };
}

/** The message of the XeroConstructError `build` throws. */
export function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    if (error instanceof XeroConstructError) return error.message;
    throw error;
  }
  throw new Error("expected a XeroConstructError, but nothing was thrown");
}

/** Warning annotations on a construct. */
export function warningsOf(construct: IConstruct): string[] {
  return construct.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => String(entry.data));
}

/** A valid Custom Connection registration's props, with overrides. */
export function customConnectionProps(overrides: Partial<Record<keyof XeroAppRegistrationProps, unknown>> = {}): XeroAppRegistrationProps {
  return {
    kind: XeroAppKind.CUSTOM_CONNECTION,
    appName: "Nightly sync",
    clientId: CLIENT_ID,
    clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
    scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ],
    ...overrides,
  } as XeroAppRegistrationProps;
}

/** A valid Web app registration's props, with overrides. */
export function webProps(overrides: Partial<Record<keyof XeroAppRegistrationProps, unknown>> = {}): XeroAppRegistrationProps {
  return {
    kind: XeroAppKind.WEB,
    appName: "Partner portal",
    clientId: OTHER_CLIENT_ID,
    clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
    redirectUris: ["https://portal.example.com/xero/callback"],
    scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_CONTACTS_READ],
    ...overrides,
  } as XeroAppRegistrationProps;
}

/** A valid PKCE app registration's props, with overrides. */
export function pkceProps(overrides: Partial<Record<keyof XeroAppRegistrationProps, unknown>> = {}): XeroAppRegistrationProps {
  return {
    kind: XeroAppKind.PKCE,
    appName: "Desktop reporter",
    clientId: "11112222333344445555666677778888",
    redirectUris: ["http://localhost:5000/callback"],
    scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_REPORTS_PROFITANDLOSS_READ],
    ...overrides,
  } as XeroAppRegistrationProps;
}

export function registration(stack: TerraformStack, id: string, props: XeroAppRegistrationProps): XeroAppRegistration {
  return new XeroAppRegistration(stack, id, props);
}
