import type { CustomConnectionLinkSpec } from "../../contract/link";
import type { AppRegistrationSpec } from "../../contract/registration";
import type { DriftCheckContext, DriftXeroClient } from "../../providers/drift";
import { appRegistrationDriftCheck } from "../../providers/lifecycle/app/drift";
import { customConnectionLinkDriftCheck } from "../../providers/lifecycle/link/drift";
import type { StoredDocument } from "../../providers/state";
import type { XeroConnection } from "../../providers/xero/parse-api";

/**
 * The findings the emulator cannot produce end to end (a Custom Connection in two organisations;
 * the end-to-end suite's PKCE app loses a redirect URI, not a scope), from a scripted Xero.
 */

const BACKEND = { type: "local", dir: "state" } as const;
const TENANT_A = "6a0d6ed5-3c48-4d1b-9b3c-9b1e8f5d0c11";
const TENANT_B = "7b1e7fe6-4d59-4e2c-8c4d-0c2f9a6e1d22";
const stored = (values: Record<string, unknown>): StoredDocument => ({ name: "billing/X", serial: 1, values, document: {} as never }) as unknown as StoredDocument;
const connection = (tenantId: string, tenantName: string): XeroConnection => ({
  id: `c-${tenantId}`, authEventId: "e", tenantId, tenantName, tenantType: "ORGANISATION", createdDateUtc: "2026-01-01T00:00:00.0000000", updatedDateUtc: "2026-01-01T00:00:00.0000000",
});

function context(xero: Partial<DriftXeroClient>): DriftCheckContext {
  return {
    now: new Date("2026-06-01T00:00:00Z"),
    clock: { now: () => new Date("2026-06-01T00:00:00Z") },
    xero: () => ({ clientId: "C", ...xero }) as DriftXeroClient,
    backend: () => Promise.reject(new Error("no backend in this test")),
    customConnectionToken: async () => ({ accessToken: "token", scopes: ["accounting.invoices.read"] }),
    appSecret: async () => ({ ok: true, value: "secret" }),
    vendAccessToken: () => Promise.reject(new Error("no token set in this test")),
  };
}

describe("the link's drift check", () => {
  const spec: CustomConnectionLinkSpec = {
    version: 1, kind: "custom_connection_link", document: "billing/SyncLink", backend: BACKEND,
    app: { document: "billing/Sync", backend: BACKEND, appName: "Sync", clientId: "C", clientSecret: { source: "env", name: "S" }, scopes: ["accounting.invoices.read"] },
    expectedTenantId: TENANT_A, waitForLinkSeconds: 0, unlinkOnDestroy: false,
  };

  it("finds link.too_many when Xero lists two organisations", async () => {
    const ctx = context({ listConnections: async () => [connection(TENANT_A, "A Ltd"), connection(TENANT_B, "B Ltd")] });
    const result = await customConnectionLinkDriftCheck.check({ spec, origin: "stack", stored: stored({ tenant_id: TENANT_A, tenant_name: "A Ltd" }) }, ctx);
    expect(result.findings.map((finding) => [finding.code, finding.expected, finding.live])).toEqual([
      ["link.too_many", `linked to "A Ltd" (tenant id ${TENANT_A})`, `linked to 2 organisations: "A Ltd" (tenant id ${TENANT_A}, ORGANISATION), "B Ltd" (tenant id ${TENANT_B}, ORGANISATION)`],
    ]);
  });

  it("finds a secret that cannot be resolved, naming the variable", async () => {
    const ctx = { ...context({}), appSecret: async () => ({ ok: false as const, problem: "environment variable S is not set where drift runs", fix: "Export S" }) };
    const result = await customConnectionLinkDriftCheck.check({ spec, origin: "stack", stored: stored({ tenant_id: TENANT_A }) }, ctx);
    expect(result.findings.map((finding) => [finding.code, finding.live, finding.fix])).toEqual([["secret.unavailable", "environment variable S is not set where drift runs", "Export S"]]);
  });
});

describe("the registration's drift check", () => {
  const spec: AppRegistrationSpec = {
    version: 1, kind: "app_registration", document: "billing/Mobile", backend: BACKEND, appKind: "pkce", appName: "Mobile", clientId: "C",
    redirectUris: ["https://m.example.com/cb"], scopes: ["openid", "accounting.invoices.read"], createdAfterGranularScopes: true,
  };

  it("finds registration.scope_refused naming the scope Xero refuses alone", async () => {
    const ctx = context({
      probeAuthorize: async ({ redirectUri, scopes }) =>
        scopes.includes("accounting.invoices.read")
          ? { accepted: false, redirectUri, scopes, error: "invalid_scope", description: undefined, answer: "its error page (HTTP 400)" }
          : { accepted: true, redirectUri, scopes },
    });
    const result = await appRegistrationDriftCheck.check({ spec, origin: "stack", stored: stored({ kind: "pkce", client_id: "C" }) }, ctx);
    expect(result.findings.map((finding) => [finding.code, finding.live])).toEqual([["registration.scope_refused", "Xero refuses accounting.invoices.read"]]);
  });

  it("checks nothing live for a Web or PKCE app rebuilt from a document that records no redirect URIs, saying why", async () => {
    const result = await appRegistrationDriftCheck.check({ spec: { ...spec, redirectUris: [] }, origin: "document", stored: stored({ kind: "pkce", client_id: "C" }) }, context({}));
    expect(result).toEqual({ findings: [], notes: ["redirect URIs and scopes not checked: the document records no redirect URIs (applied before they were recorded; run drift with --stack, or deploy)"] });
  });
});
