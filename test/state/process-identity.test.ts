import { isSameRuntime, readProcessIdentity } from "../../providers/state/local/process-identity";

/** providers/state/local/process-identity.ts: the boot id and PID namespace a lock file records, read through an injected source. */

describe("reading this process's identity", () => {
  it("reads the boot id and the PID namespace's link target from /proc", () => {
    const read: string[] = [];
    const identity = readProcessIdentity({
      readFile: (file) => (read.push(file), "f358533f-afb6-4e6b-9031-ff1264ac7aca\n"),
      readLink: (file) => (read.push(file), "pid:[4026531836]"),
    });
    expect(identity).toEqual({ bootId: "f358533f-afb6-4e6b-9031-ff1264ac7aca", pidNamespace: "pid:[4026531836]" });
    expect(read).toEqual(["/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"]);
  });

  it("leaves out what cannot be read, as where there is no /proc", () => {
    const missing = (): string => {
      throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    };
    expect(readProcessIdentity({ readFile: missing, readLink: missing })).toEqual({});
  });
});

describe("comparing identities", () => {
  it("calls two identities the same runtime only when boot id and PID namespace both match", () => {
    const here = { bootId: "a", pidNamespace: "pid:[1]" };
    expect(isSameRuntime(here, { bootId: "a", pidNamespace: "pid:[1]" })).toBe(true);
    expect(isSameRuntime(here, { bootId: "a", pidNamespace: "pid:[2]" })).toBe(false);
    expect(isSameRuntime(here, { bootId: "b", pidNamespace: "pid:[1]" })).toBe(false);
    expect(isSameRuntime(here, {})).toBe(false);
  });
});
