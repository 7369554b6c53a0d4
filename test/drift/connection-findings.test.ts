import { ConnectionOutputs, type OAuthConnectionSpec } from "../../contract/connection";
import { liveConnectionFindings, recordedConnectionFindings, refusedRefreshFinding } from "../../providers/lifecycle/connection/drift-findings";
import type { XeroConnection } from "../../providers/xero/parse-api";

/** The consented connection's drift decisions, from a document's outputs and what Xero lists. */

const DAY_MS = 86_400_000;
const ISSUED = new Date("2026-06-01T00:00:00Z");
const TENANT_A = "6a0d6ed5-3c48-4d1b-9b3c-9b1e8f5d0c11";
const TENANT_B = "7b1e7fe6-4d59-4e2c-8c4d-0c2f9a6e1d22";
const BACKEND = { type: "local", dir: "/tmp/state" } as const;

const spec = (overrides: Partial<OAuthConnectionSpec> = {}): OAuthConnectionSpec => ({
  version: 1,
  kind: "oauth_connection",
  document: "billing/Ledger",
  backend: BACKEND,
  app: { document: "billing/Web", backend: BACKEND, appName: "Web", appKind: "pkce", clientId: "C", redirectUris: ["http://localhost:5000/cb"], scopes: ["offline_access", "accounting.invoices"] },
  tenants: [],
  scopes: ["offline_access", "accounting.invoices"],
  keepAliveSeconds: 30 * 86_400,
  onDestroy: "retain",
  ...overrides,
});

const connected = (extra: Parameters<typeof ConnectionOutputs.encode>[0] = {}) =>
  ConnectionOutputs.encode({ status: "connected", refreshTokenIssuedAt: ISSUED.toISOString(), tenantIds: [TENANT_A], tenantNames: ["Demo Company (NZ)"], ...extra });
const at = (days: number): Date => new Date(ISSUED.getTime() + days * DAY_MS);
const codes = (result: { findings: ReadonlyArray<{ code: string }> }): string[] => result.findings.map((finding) => finding.code);
const connection = (tenantId: string, tenantName: string): XeroConnection => ({
  id: `c-${tenantId}`, authEventId: "e", tenantId, tenantName, tenantType: "ORGANISATION", createdDateUtc: "2026-06-01T00:00:00.0000000", updatedDateUtc: "2026-06-01T00:00:00.0000000",
});

describe("what the connection document shows", () => {
  it("finds awaiting_consent when nobody has consented, naming the connect command, and checks nothing live", () => {
    const result = recordedConnectionFindings(spec(), ConnectionOutputs.encode({ status: "awaiting_consent" }), at(0));
    expect([codes(result), result.settled, result.findings[0]?.fix]).toEqual([
      ["connection.awaiting_consent"], true, "Run `cdktf-xero connect billing/Ledger --backend local:/tmp/state` and consent in the browser (add --manual on a machine without one); then deploy",
    ]);
  });

  it("finds needs_consent with the recorded reason and checks nothing live", () => {
    const result = recordedConnectionFindings(spec(), connected({ status: "needs_consent", needsConsentReason: "Xero refused it", needsConsentSince: "2026-06-02T00:00:00Z" }), at(1));
    expect([codes(result), result.settled, result.findings[0]?.live]).toEqual([["connection.needs_consent"], true, "needs_consent since 2026-06-02T00:00:00Z: Xero refused it"]);
  });

  it("finds nothing for a refresh token younger than keepAlive", () => {
    expect(recordedConnectionFindings(spec(), connected(), at(29.9))).toEqual({ findings: [], settled: false });
  });

  it("warns once the refresh token is past keepAlive, a warning that leaves the live checks to run", () => {
    const result = recordedConnectionFindings(spec(), connected(), at(31));
    expect([codes(result), result.findings[0]?.severity, result.settled]).toEqual([["connection.refresh_due"], "warning", false]);
  });

  it("finds refresh_token_expiring (not a warning) within 5 days of Xero's 60", () => {
    const result = recordedConnectionFindings(spec(), connected(), at(55));
    expect([codes(result), result.findings[0]?.severity, result.settled]).toEqual([["connection.refresh_token_expiring"], undefined, false]);
  });

  it("finds an expired refresh token past 60 days and asks for a new consent without trying it", () => {
    const result = recordedConnectionFindings(spec(), connected(), at(60));
    expect([codes(result), result.settled, result.findings[0]?.fix]).toEqual([
      ["connection.refresh_token_expiring"], true,
      "Run `cdktf-xero connect billing/Ledger --backend local:/tmp/state` and consent again; then schedule `cdktf-xero refresh --due` daily so it does not happen again",
    ]);
  });

  it("counts keepAlive from the declaration", () => {
    expect(codes(recordedConnectionFindings(spec({ keepAliveSeconds: 3_600 }), connected(), at(1 / 12)))).toEqual(["connection.refresh_due"]);
  });
});

describe("what Xero lists", () => {
  const recorded = { tenantIds: [TENANT_A], tenantNames: ["Demo Company (NZ)"] };
  const granted = ["offline_access", "accounting.invoices", "openid", "profile", "email"];

  it("finds nothing when the recorded organisation is listed and the declared scopes are granted", () => {
    expect(liveConnectionFindings(spec(), recorded, [connection(TENANT_A, "Demo Company (NZ)")], granted)).toEqual([]);
  });

  it("finds the connection gone when GET /connections lists nothing", () => {
    const findings = liveConnectionFindings(spec(), recorded, [], granted);
    expect(findings.map((f) => [f.code, f.live])).toEqual([
      ["connection.gone", "GET /connections lists no organisation: the user revoked the app's access, or every organisation disconnected it"],
    ]);
  });

  it("finds the connection gone when a recorded organisation is no longer listed, and does not report it again as a tenant difference", () => {
    const findings = liveConnectionFindings(spec({ tenants: ["Demo Company (NZ)", TENANT_B] }), { tenantIds: [TENANT_A, TENANT_B], tenantNames: ["Demo Company (NZ)", "Practice Ltd"] }, [connection(TENANT_B, "Practice Ltd")], granted);
    expect(findings.map((f) => [f.code, f.live])).toEqual([
      ["connection.gone", `GET /connections no longer lists "Demo Company (NZ)" (tenant id ${TENANT_A}) (the organisation disconnected the app, or the user's access to it ended); it lists "Practice Ltd" (tenant id ${TENANT_B})`],
    ]);
  });

  it("finds the tenants differing when a declared organisation (by name, any case) is not connected", () => {
    const findings = liveConnectionFindings(spec({ tenants: ["practice ltd"] }), recorded, [connection(TENANT_A, "Demo Company (NZ)")], granted);
    expect(findings.map((f) => [f.code, f.live])).toEqual([
      ["connection.tenants_differ", `GET /connections lists "Demo Company (NZ)" (tenant id ${TENANT_A}); missing "practice ltd"`],
    ]);
  });

  it("accepts organisations and scopes beyond the declared ones, as a deploy does", () => {
    const findings = liveConnectionFindings(spec({ tenants: [TENANT_A.toUpperCase()] }), recorded, [connection(TENANT_A, "Demo Company (NZ)"), connection(TENANT_B, "Practice Ltd")], [...granted, "accounting.settings.read"]);
    expect(findings).toEqual([]);
  });

  it("accepts any organisation when none is declared", () => {
    expect(liveConnectionFindings(spec(), recorded, [connection(TENANT_A, "Demo Company (NZ)"), connection(TENANT_B, "Practice Ltd")], granted)).toEqual([]);
  });

  it("finds the scopes differing when a declared scope is not granted", () => {
    const findings = liveConnectionFindings(spec(), recorded, [connection(TENANT_A, "Demo Company (NZ)")], ["offline_access", "openid", "accounting.settings.read"]);
    expect(findings.map((f) => [f.code, f.live])).toEqual([
      ["connection.scopes_differ", "the access token carries scopes accounting.settings.read offline_access openid; missing accounting.invoices"],
    ]);
  });

  it("reports a refused refresh as the connection gone, with the reason and the connect command", () => {
    const finding = refusedRefreshFinding(spec(), "Xero refused the stored refresh token (invalid_grant)");
    expect([finding.code, finding.fix]).toEqual(["connection.gone", "Run `cdktf-xero connect billing/Ledger --backend local:/tmp/state` and consent again (the user may have revoked the app in Xero); then deploy"]);
  });
});
