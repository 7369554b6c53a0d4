import { connectLocation } from "../../providers/lifecycle/connection/connect-location";
import { decideCoverage, isDeclaredTenant, isRefreshDue } from "../../providers/lifecycle/connection/decisions";
import type { XeroConnection } from "../../providers/xero/parse-api";

const NZ_ID = "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4";
const PRACTICE_ID = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";

function connection(tenantId: string, tenantName: string): XeroConnection {
  return { id: `c-${tenantId}`, authEventId: "e", tenantId, tenantName, tenantType: "ORGANISATION", createdDateUtc: "", updatedDateUtc: "" };
}

const NZ = connection(NZ_ID, "Demo Company (NZ)");
const PRACTICE = connection(PRACTICE_ID, "Practice Ltd");
const GRANTED = ["openid", "profile", "email", "offline_access", "accounting.invoices"];

describe("which declared tenant a connection is", () => {
  it("matches an id ignoring case", () => {
    expect(isDeclaredTenant(NZ_ID.toUpperCase(), NZ)).toBe(true);
  });

  it("matches a name ignoring case and surrounding spaces", () => {
    expect(isDeclaredTenant("  demo company (nz) ", NZ)).toBe(true);
  });

  it("never matches a name against an id", () => {
    expect(isDeclaredTenant("Demo Company", connection("Demo Company", "Other"))).toBe(false);
  });
});

describe("whether the consent covers the declaration", () => {
  it("is covered when every declared tenant is connected, extra ones included, and every scope granted", () => {
    expect(decideCoverage({ tenants: [NZ_ID], scopes: ["offline_access", "accounting.invoices"] }, { connections: [NZ, PRACTICE], grantedScopes: GRANTED })).toEqual({ kind: "covered" });
  });

  it("lists declared tenants that are not connected and scopes not granted", () => {
    expect(decideCoverage({ tenants: ["Practice Ltd", NZ_ID], scopes: ["offline_access", "accounting.settings.read"] }, { connections: [NZ], grantedScopes: GRANTED })).toEqual({
      kind: "mismatch",
      missingTenants: ["Practice Ltd"],
      missingScopes: ["accounting.settings.read"],
      noOrganisation: false,
    });
  });

  it("takes any organisation when none is declared, but wants one for API scopes", () => {
    expect(decideCoverage({ tenants: [], scopes: ["offline_access", "accounting.invoices"] }, { connections: [], grantedScopes: GRANTED })).toMatchObject({
      kind: "mismatch",
      noOrganisation: true,
    });
  });

  it("needs no organisation for identity scopes alone", () => {
    expect(decideCoverage({ tenants: [], scopes: ["openid", "offline_access"] }, { connections: [], grantedScopes: GRANTED })).toEqual({ kind: "covered" });
  });
});

describe("when keepAlive makes an apply refresh", () => {
  const issuedAt = new Date("2026-05-01T00:00:00Z");

  it("is not due a second before keepAlive has passed", () => {
    expect(isRefreshDue(issuedAt, 3_600, new Date("2026-05-01T00:59:59Z"))).toBe(false);
  });

  it("is due once keepAlive has passed", () => {
    expect(isRefreshDue(issuedAt, 3_600, new Date("2026-05-01T01:00:00Z"))).toBe(true);
  });
});

describe("the connect command's --backend flag", () => {
  it("names a local dir relative to the project root, as a person types it there", () => {
    expect(connectLocation("prod/Books", { type: "local", dir: "../../../.cdktf-xero/state" }, { projectRoot: "/p", cwd: "/p/cdktf.out/stacks/prod" })).toEqual({
      document: "prod/Books",
      backendFlag: "--backend local:.cdktf-xero/state",
    });
  });

  it("keeps an absolute local dir as declared", () => {
    expect(connectLocation("prod/Books", { type: "local", dir: "/srv/xero-state" }, { projectRoot: "/p", cwd: "/p/cdktf.out/stacks/prod" }).backendFlag).toBe(
      "--backend local:/srv/xero-state",
    );
  });

  it("names a pg schema as it is", () => {
    expect(connectLocation("prod/Books", { type: "pg", schema: "xero" }, { projectRoot: "/p", cwd: "/p" }).backendFlag).toBe("--backend pg:xero");
  });
});
