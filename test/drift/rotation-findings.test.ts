import { rotationFindings } from "../../providers/lifecycle/rotation/drift";
import type { SecretRotationSpec } from "../../contract/rotation";

const spec: SecretRotationSpec = {
  version: 1,
  kind: "secret_rotation",
  document: "billing/Sync/rotation",
  backend: { type: "local", dir: "state" },
  app: { document: "billing/Sync", backend: { type: "local", dir: "state" }, appName: "Sync", appKind: "custom_connection", clientId: "C", clientSecret: { source: "env", name: "S" }, scopes: ["accounting.invoices.read"] },
  maxAgeSeconds: 86_400,
  keepPreviousSeconds: 3_600,
  onOverdue: "warn",
};
const fresh = { current_fingerprint: "hmac-sha256:k:00", rotated_at: "2027-01-01T00:00:00Z", step: "bootstrapped" };

describe("rotationFindings", () => {
  it("finds nothing for a CURRENT younger than maxAge", () => {
    expect(rotationFindings(spec, fresh, new Date("2027-01-01T23:59:59Z"))).toEqual([]);
  });

  it("finds a CURRENT overdue from maxAge on", () => {
    expect(rotationFindings(spec, fresh, new Date("2027-01-03T00:00:00Z"))).toEqual([
      {
        code: "rotation.overdue",
        expected: "the current secret is younger than maxAge (86400 s): due 2027-01-02T00:00:00.000Z",
        live: "current since 2027-01-01T00:00:00.000Z, 2 days old (overdue by 24 h)",
        fix: "Generate a new secret at https://developer.xero.com/app/manage, stage it with `cdktf-xero secret stage billing/Sync` and deploy (the deploy tests and promotes it)",
      },
    ]);
  });

  it("finds a PENDING staged more than a day ago", () => {
    const values = { ...fresh, pending_fingerprint: "hmac-sha256:k:01", pending_staged_at: "2027-01-01T06:00:00Z", step: "test_failed" };
    expect(rotationFindings(spec, values, new Date("2027-01-01T23:00:00Z"))).toEqual([]);
    expect(rotationFindings(spec, values, new Date("2027-01-02T07:00:00Z")).map((finding) => [finding.code, finding.live])).toEqual([
      ["rotation.overdue", "current since 2027-01-01T00:00:00.000Z, 31 h old (overdue by 7 h)"],
      ["rotation.pending_stale", "PENDING staged 2027-01-01T06:00:00.000Z (25 h ago), last step test_failed"],
    ]);
  });

  it("finds a PREVIOUS kept past its expiry", () => {
    const values = { ...fresh, previous_expires_at: "2027-01-01T12:00:00Z" };
    expect(rotationFindings(spec, values, new Date("2027-01-01T13:00:00Z")).map((finding) => finding.code)).toEqual(["rotation.previous_kept"]);
  });
});
