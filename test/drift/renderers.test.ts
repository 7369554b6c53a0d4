import { renderJson, renderJunit, statusOf, summarize, type DriftReport, type ResourceReport } from "../../providers/drift";

const resources: ResourceReport[] = [
  { resource: "billing/Sync", kind: "app_registration", backend: "pg:cdktf_xero", findings: [], notes: [] },
  {
    resource: "billing/SyncLink",
    kind: "custom_connection_link",
    backend: "pg:cdktf_xero",
    findings: [{ code: "link.other_organisation", status: "drift", expected: 'linked to "A & B" (tenant id 1)', live: 'linked to "<C>"', fix: "re-link" }],
    notes: [],
  },
  {
    resource: "billing/Sync/rotation",
    kind: "secret_rotation",
    backend: "pg:cdktf_xero",
    findings: [{ code: "rotation.overdue", status: "acknowledged", expected: "young", live: "old", fix: "rotate", acknowledgement: { reason: "freeze", expires: "2027-01-31", line: 3 } }],
    notes: [],
  },
  { resource: "billing/Web", kind: "app_registration", backend: "pg:cdktf_xero", findings: [], notes: [], error: { code: "XERO_UNAVAILABLE", message: "Xero did not answer" } },
];
const report: DriftReport = { checkedAt: "2026-12-02T10:00:00.000Z", resources, summary: summarize(resources, 2) };

describe("summarize", () => {
  it("exits 1 when a resource could not be checked, whatever drifted", () => {
    expect(report.summary).toEqual({
      resources: 4, inSync: 1, drifted: 1, acknowledged: 1, errors: 1, findings: 1, acknowledgedFindings: 1, warnings: 0, expiredAcknowledgements: 0, undeployedChanges: 0, rateLimitedResponses: 2, exitCode: 1,
    });
  });

  it("exits 2 when a finding counts and everything was checked", () => {
    expect(summarize(resources.slice(0, 3), 0).exitCode).toBe(2);
  });

  it("exits 0 when every finding is acknowledged", () => {
    expect(summarize([resources[0]!, resources[2]!], 0).exitCode).toBe(0);
  });

  it("counts a warning-level finding apart and exits 0 when it is the only one, the resource in sync", () => {
    const warned: ResourceReport = {
      resource: "billing/Ledger", kind: "oauth_connection", backend: "pg:cdktf_xero", notes: [],
      findings: [{ code: "connection.refresh_due", severity: "warning", status: "drift", expected: "younger than keepAlive", live: "31 days old", fix: "refresh --due" }],
    };
    expect([summarize([warned], 0), statusOf(warned)]).toEqual([expect.objectContaining({ inSync: 1, drifted: 0, findings: 0, warnings: 1, exitCode: 0 }), "in_sync"]);
  });
});

describe("renderJson", () => {
  it("prints one document with the schema version, one object per resource and the summary", () => {
    const parsed = JSON.parse(renderJson(report)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["schemaVersion", "checkedAt", "resources", "summary"]);
    expect(parsed["schemaVersion"]).toBe(1);
    expect((parsed["resources"] as unknown[])[1]).toEqual({
      resource: "billing/SyncLink",
      kind: "custom_connection_link",
      backend: "pg:cdktf_xero",
      status: "drifted",
      findings: [{ code: "link.other_organisation", status: "drift", expected: 'linked to "A & B" (tenant id 1)', live: 'linked to "<C>"', fix: "re-link", acknowledgement: null }],
      undeployedChange: null,
      notes: [],
      error: null,
    });
  });
});

describe("renderJson of a warning", () => {
  it("marks a warning-level finding with its severity", () => {
    const warned: ResourceReport = {
      resource: "billing/Ledger", kind: "oauth_connection", backend: "pg:cdktf_xero", notes: [],
      findings: [{ code: "connection.refresh_due", severity: "warning", status: "drift", expected: "e", live: "l", fix: "f" }],
    };
    const parsed = JSON.parse(renderJson({ checkedAt: report.checkedAt, resources: [warned], summary: summarize([warned], 0) })) as { resources: Array<{ status: string; findings: unknown[] }> };
    expect(parsed.resources[0]).toMatchObject({ status: "in_sync", findings: [{ code: "connection.refresh_due", severity: "warning", status: "drift" }] });
  });
});

describe("renderJunit", () => {
  const xml = renderJunit(report);

  it("counts tests, failures and errors on the suites", () => {
    expect(xml).toContain('<testsuites name="cdktf-xero drift" tests="4" failures="1" errors="1">');
  });

  it("renders an in-sync resource as an empty test case", () => {
    expect(xml).toContain('<testcase classname="cdktf-xero.app_registration" name="billing/Sync"/>');
  });

  it("renders drift as a failure typed by its code, with expected, live and fix escaped", () => {
    expect(xml).toContain(
      '<failure type="link.other_organisation" message="link.other_organisation">link.other_organisation\nexpected: linked to &quot;A &amp; B&quot; (tenant id 1)\nlive: linked to &quot;&lt;C&gt;&quot;\nfix: re-link</failure>',
    );
  });

  it("renders an acknowledged finding as passing, with the acknowledgement in system-out", () => {
    expect(xml).toContain('<testcase classname="cdktf-xero.secret_rotation" name="billing/Sync/rotation">\n      <system-out>acknowledged rotation.overdue until 2027-01-31: freeze</system-out>');
  });

  it("renders a resource that could not be checked as an error", () => {
    expect(xml).toContain('<error type="XERO_UNAVAILABLE" message="could not check: XERO_UNAVAILABLE">Xero did not answer</error>');
  });
});
