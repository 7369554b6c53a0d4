import { formatRfc3339 } from "../../providers/clock";
import { FailpointError, failpointsFrom } from "../../providers/lifecycle/rotation/failpoints";
import {
  EMPTY_ROTATION_RECORD,
  nextRotationAction,
  readRotationRecord,
  rotationSchedule,
} from "../../providers/lifecycle/rotation/decisions";

/** The rotation's pure decisions (providers/lifecycle/rotation/decisions.ts) and the failpoint switch, without a network. */
const DAY = 86_400_000;
const T0 = new Date("2026-01-01T00:00:00Z");
const day = (n: number): Date => new Date(T0.getTime() + n * DAY);

describe("nextRotationAction", () => {
  const record = { ...EMPTY_ROTATION_RECORD, previousExpiresAt: "2026-01-08T00:00:00Z" };

  it("bootstraps when there is neither CURRENT nor PENDING", () => {
    expect(nextRotationAction({}, EMPTY_ROTATION_RECORD, day(0))).toEqual({ kind: "bootstrap" });
  });

  it("tests and promotes a PENDING, with or without a CURRENT", () => {
    expect(nextRotationAction({ pending: "b" }, record, day(0))).toEqual({ kind: "test_and_promote" });
    expect(nextRotationAction({ current: "a", pending: "b" }, record, day(0))).toEqual({ kind: "test_and_promote" });
  });

  it("discards a PENDING equal to CURRENT", () => {
    expect(nextRotationAction({ current: "a", pending: "a" }, record, day(0))).toEqual({ kind: "discard_pending" });
  });

  it("finishes once PREVIOUS has expired, and not a second earlier", () => {
    expect(nextRotationAction({ current: "a", previous: "z" }, record, new Date(day(7).getTime() - 1))).toEqual({ kind: "done" });
    expect(nextRotationAction({ current: "a", previous: "z" }, record, day(7))).toEqual({ kind: "finish" });
  });

  it("finishes a PREVIOUS whose expiry is unreadable, so it is not kept forever", () => {
    expect(nextRotationAction({ current: "a", previous: "z" }, { ...record, previousExpiresAt: "soon" }, day(0))).toEqual({ kind: "finish" });
  });

  it("is done with a CURRENT alone", () => {
    expect(nextRotationAction({ current: "a" }, record, day(100))).toEqual({ kind: "done" });
  });
});

describe("rotationSchedule", () => {
  const schedule = (now: Date, previousExpiresAt?: Date) =>
    rotationSchedule({ rotatedAt: T0, maxAgeSeconds: 100 * 86_400, previousExpiresAt, now });

  it("is due next at the 80% mark while that is ahead", () => {
    expect(schedule(day(10))).toMatchObject({ dueAt: day(80), nextDue: day(100), warning: false, overdue: false, ageDays: 10 });
  });

  it("is due next when PREVIOUS expires, if that comes first", () => {
    expect(schedule(day(1), day(7)).dueAt).toEqual(day(7));
  });

  it("warns from the 80% mark and is due next at the maxAge deadline", () => {
    expect(schedule(day(80))).toMatchObject({ dueAt: day(100), warning: true, overdue: false });
  });

  it("is overdue from the deadline on, with a daily reminder as the next due time", () => {
    expect(schedule(day(100))).toMatchObject({ dueAt: day(101), warning: false, overdue: true, ageDays: 100 });
  });

  it("always puts the next due time after now", () => {
    for (let n = 0; n <= 200; n += 0.5) expect(schedule(day(n), day(3)).dueAt.getTime()).toBeGreaterThan(day(n).getTime());
  });
});

describe("formatRfc3339", () => {
  it("writes whole seconds with Z, rounding down by default and up when asked", () => {
    const at = new Date("2026-01-01T00:00:00.250Z");
    expect(formatRfc3339(at)).toBe("2026-01-01T00:00:00Z");
    expect(formatRfc3339(at, "up")).toBe("2026-01-01T00:00:01Z");
  });
});

describe("readRotationRecord", () => {
  it("reads absent or mistyped outputs as their defaults", () => {
    expect(readRotationRecord({ generation: "7", step: "dancing", due_at: 5 } as never)).toEqual(EMPTY_ROTATION_RECORD);
  });
});

describe("failpointsFrom (test only)", () => {
  it("does nothing when CDKTF_XERO_FAILPOINT is unset", () => {
    expect(() => failpointsFrom({})("promoted")).not.toThrow();
  });

  it("throws at an armed throw failpoint and nowhere else", () => {
    const failpoint = failpointsFrom({ CDKTF_XERO_FAILPOINT: "tested:throw" });
    expect(() => failpoint("testing-recorded")).not.toThrow();
    expect(() => failpoint("tested")).toThrow(FailpointError);
  });

  it("calls the kill function at an armed kill failpoint", () => {
    const kill = jest.fn();
    failpointsFrom({ CDKTF_XERO_FAILPOINT: "locked:throw,promoted:kill" }, kill)("promoted");
    expect(kill).toHaveBeenCalledTimes(1);
  });

  it("rejects an unknown failpoint with CONFIG_INVALID naming the known ones", () => {
    expect(() => failpointsFrom({ CDKTF_XERO_FAILPOINT: "nowhere:kill" })).toThrow(
      'CDKTF_XERO_FAILPOINT (test only) must be <failpoint>:<kill|throw>[,…] with failpoints locked, bootstrap-proved, bootstrapped, ' +
        'testing-recorded, tested, promoted, finished, recorded, stage-tested, staged (or the token refresh\'s), got "nowhere:kill"',
    );
  });
});

describe("readRotationRecord", () => {
  it("reads the rotation's own outputs only, leaving drift's marks and the bookkeeping to the runtime", () => {
    const record = readRotationRecord({ generation: 3, step: "finished", drift_findings: ["rotation.overdue"], drift_marked_at: "2027-01-01T00:00:00Z", app_name: "Sync" });
    expect(record).toEqual({ ...EMPTY_ROTATION_RECORD, generation: 3, step: "finished" });
  });
});
