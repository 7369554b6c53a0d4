import { nextOutputs } from "../../providers/lifecycle/runtime/record";

describe("a hook apply after drift --mark", () => {
  it("drops the marked findings and keeps the bumped generation", () => {
    const marked = { generation: 4, applied_generation: 3, tenant_id: "t", drift_findings: ["link.not_linked"], drift_marked_at: "2027-01-01T00:00:00.000Z" };
    expect(nextOutputs(marked, { generation: 4, tenant_id: "t" })).toEqual({ generation: 4, applied_generation: 4, tenant_id: "t" });
  });
});
