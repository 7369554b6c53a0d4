import { TenantAmbiguousError, TenantNotConnectedError } from "../../providers/tokens/errors";
import { chooseTenant, connectedTenants } from "../../providers/tokens/tenant-choice";

const LOCATION = { document: "crm/CrmConnection", backendFlag: "--backend local:state" };
const DEMO = { tenantId: "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4", tenantName: "Demo Company (NZ)" };
const PRACTICE = { tenantId: "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5", tenantName: "Practice Ltd" };

describe("choosing the tenant a token is for", () => {
  it("pairs the recorded tenant ids with their names", () => {
    expect(connectedTenants([DEMO.tenantId, PRACTICE.tenantId], [DEMO.tenantName, PRACTICE.tenantName])).toEqual([DEMO, PRACTICE]);
  });

  it("returns the only tenant when none is asked for", () => {
    expect(chooseTenant([DEMO], undefined, LOCATION)).toEqual(DEMO);
  });

  it("returns none when several are recorded and none is asked for", () => {
    expect(chooseTenant([DEMO, PRACTICE], undefined, LOCATION)).toBeUndefined();
  });

  it("matches a tenant id regardless of case", () => {
    expect(chooseTenant([DEMO, PRACTICE], PRACTICE.tenantId.toUpperCase(), LOCATION)).toEqual(PRACTICE);
  });

  it("matches an organisation name regardless of case and surrounding spaces", () => {
    expect(chooseTenant([DEMO, PRACTICE], "  demo company (nz) ", LOCATION)).toEqual(DEMO);
  });

  it("refuses a tenant that is not recorded, listing the recorded ones", () => {
    expect(() => chooseTenant([DEMO], "Other Ltd", LOCATION)).toThrow(TenantNotConnectedError);
  });

  it("refuses a name two organisations share, asking for the tenant id", () => {
    const twin = { ...PRACTICE, tenantName: DEMO.tenantName };
    expect(() => chooseTenant([DEMO, twin], DEMO.tenantName, LOCATION)).toThrow(
      new TenantAmbiguousError(LOCATION.document, DEMO.tenantName, [DEMO, twin]).message,
    );
  });
});
