import {
  decideLink,
  isSameRecord,
  isSameScopeSet,
  LINK_POLL_MAX_DELAY_MS,
  nextLinkPollDelayMs,
  nextOutputs,
  readHookInputs,
  recordsRun,
} from "../../providers/lifecycle";
import type { XeroConnection } from "../../providers/xero/parse-api";
import { hashHookSpec } from "../../contract/hook-spec";
import { registrationSpec } from "./support";

function connection(tenantId: string, tenantName: string): XeroConnection {
  return {
    id: `c-${tenantId}`,
    authEventId: "a",
    tenantId,
    tenantName,
    tenantType: "ORGANISATION",
    createdDateUtc: "2026-05-01T00:00:00.0000000",
    updatedDateUtc: "2026-05-01T00:00:00.0000000",
  };
}

const TENANT = "6a0d6ed5-3c48-4d1b-9b3c-9b1e8f5d0c11";

describe("isSameScopeSet", () => {
  it("ignores order and duplicates", () => {
    expect(isSameScopeSet(["a", "b"], ["b", "a", "a"])).toBe(true);
  });

  it("finds a scope granted but not declared", () => {
    expect(isSameScopeSet(["a"], ["a", "b"])).toBe(false);
  });

  it("finds a scope declared but not granted", () => {
    expect(isSameScopeSet(["a", "b"], ["a"])).toBe(false);
  });
});

describe("decideLink", () => {
  it("is not_linked for no connections", () => {
    expect(decideLink([], {})).toEqual({ kind: "not_linked" });
  });

  it("is too_many for two connections, even when one is the expected tenant", () => {
    expect(decideLink([connection(TENANT, "A"), connection("other", "B")], { tenantId: TENANT }).kind).toBe("too_many");
  });

  it("is linked for one connection and no expectation", () => {
    expect(decideLink([connection(TENANT, "A")], {}).kind).toBe("linked");
  });

  it("is tenant_mismatch when the id matches but the name does not", () => {
    expect(decideLink([connection(TENANT, "A")], { tenantId: TENANT, tenantName: "B" }).kind).toBe("tenant_mismatch");
  });
});

describe("nextLinkPollDelayMs", () => {
  it("starts at 2 s and doubles", () => {
    expect([nextLinkPollDelayMs(undefined, 1e9), nextLinkPollDelayMs(2000, 1e9), nextLinkPollDelayMs(4000, 1e9)]).toEqual([2000, 4000, 8000]);
  });

  it("never waits longer than 30 s at a time", () => {
    expect(nextLinkPollDelayMs(LINK_POLL_MAX_DELAY_MS, 1e9)).toBe(30_000);
  });

  it("never waits past the deadline", () => {
    expect(nextLinkPollDelayMs(8000, 5000)).toBe(5000);
  });

  it("is 0 once the deadline has passed", () => {
    expect(nextLinkPollDelayMs(undefined, 0)).toBe(0);
  });
});

describe("nextOutputs and isSameRecord", () => {
  it("keeps outputs it does not compute, such as the secrets envelope, and clears retired", () => {
    const next = nextOutputs({ generation: 0, secrets: "env" as never, retired: true, tenant_id: "old" }, { generation: 0, tenant_id: "new" });
    expect(next).toEqual({ generation: 0, applied_generation: 0, secrets: "env", tenant_id: "new" });
  });

  it("never lowers the generation", () => {
    expect(nextOutputs({ generation: 7 }, { generation: 6 }).generation).toBe(7);
  });

  it("treats a different verification time alone as the same record", () => {
    expect(isSameRecord({ generation: 1, verified_at: "2026-01-01" }, { generation: 1, verified_at: "2026-02-02" })).toBe(true);
  });

  it("treats a changed list as a different record", () => {
    expect(isSameRecord({ granted_scopes: ["a"] }, { granted_scopes: ["a", "b"] })).toBe(false);
  });

  it("treats an added output as a different record", () => {
    expect(isSameRecord({ generation: 0 }, { generation: 0, tenant_id: "t" })).toBe(false);
  });
});

describe("recordsRun", () => {
  it("needs both the spec hash and the generation that apply ran for to match, whatever the trigger generation says", () => {
    const values = { spec_sha256: "a".repeat(64), applied_generation: 2, generation: 9 };
    expect([
      recordsRun(values, { specSha256: "a".repeat(64), generation: 2 }),
      recordsRun(values, { specSha256: "b".repeat(64), generation: 2 }),
      recordsRun(values, { specSha256: "a".repeat(64), generation: 3 }),
    ]).toEqual([true, false, false]);
  });
});

describe("readHookInputs", () => {
  const spec = registrationSpec({ type: "local", dir: "state" }, { appKind: "pkce", clientId: "C", redirectUris: ["http://localhost:1/cb"], scopes: ["openid"] });
  const env = { CDKTF_XERO_SPEC: JSON.stringify(spec), CDKTF_XERO_SPEC_SHA256: hashHookSpec(spec), CDKTF_XERO_GENERATION: "4" };

  it("reads the spec, hash and generation for apply", () => {
    expect(readHookInputs("apply", env)).toEqual({ spec, run: { specSha256: hashHookSpec(spec), generation: 4 } });
  });

  it("rejects a generation that is not a whole number, naming the variable", () => {
    expect(() => readHookInputs("destroy", { ...env, CDKTF_XERO_GENERATION: "1.5" })).toThrow(
      'CDKTF_XERO_GENERATION must be a whole number (the document\'s generation the plan read), got "1.5": ' +
        "`cdktf-xero hook destroy` takes it from the hook resource's triggers; synthesize the stack again",
    );
  });

  it("rejects a missing spec hash for apply", () => {
    expect(() => readHookInputs("apply", { ...env, CDKTF_XERO_SPEC_SHA256: undefined })).toThrow(
      "CDKTF_XERO_SPEC_SHA256 must be the spec's SHA-256 in lower-case hex (64 characters), got nothing: " +
        "`cdktf-xero hook apply` takes it from the hook resource's triggers; synthesize the stack again",
    );
  });

  it("rejects a spec that is not JSON as CONFIG_INVALID", () => {
    expect(() => readHookInputs("init", { CDKTF_XERO_SPEC: "{" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/^invalid hook spec: CDKTF_XERO_SPEC is not JSON/) }),
    );
  });
});
