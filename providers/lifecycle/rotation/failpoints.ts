import { ConfigError } from "../../errors";

/**
 * TEST-ONLY failpoints: named step boundaries of the rotation protocol where a test makes the
 * process die (SIGKILL, as a crash or an OOM kill would) or throw. They prove that a run cut off
 * at any boundary, then run again, ends where an uninterrupted run ends.
 *
 * `CDKTF_XERO_FAILPOINT=<failpoint>:<kill|throw>[,…]` is read once, when a rotation hook or
 * `secret stage` starts. Unset (always, outside tests), every failpoint is a no-op.
 */
export const FAILPOINT_ENV = "CDKTF_XERO_FAILPOINT";

/** Boundaries in protocol order (see protocol.ts and stage.ts). */
export const ROTATION_FAILPOINTS = [
  "locked",
  "bootstrap-proved",
  "bootstrapped",
  "testing-recorded",
  "tested",
  "promoted",
  "finished",
  "recorded",
  "stage-tested",
  "staged",
] as const;

export type RotationFailpoint = (typeof ROTATION_FAILPOINTS)[number];

/** What a failpoint does when reached. */
export type FailpointAction = "kill" | "throw";

/** Thrown by a `throw` failpoint: the in-process stand-in for a crash. */
export class FailpointError extends Error {
  readonly code = "FAILPOINT";
  constructor(readonly failpoint: RotationFailpoint) {
    super(`failpoint ${failpoint} reached (${FAILPOINT_ENV}; test only)`);
    this.name = "FailpointError";
  }
}

export type Failpoints = (name: RotationFailpoint) => void;

/** Never fires. */
export const noFailpoints: Failpoints = () => undefined;

/**
 * Parses {@link FAILPOINT_ENV}. `kill` sends SIGKILL to this process (no cleanup: locks stay held
 * until a later run takes them over, temp files stay); `throw` throws {@link FailpointError}.
 */
export function failpointsFrom(env: Readonly<Record<string, string | undefined>>, kill: () => void = killSelf): Failpoints {
  const text = env[FAILPOINT_ENV]?.trim();
  if (text === undefined || text === "") return noFailpoints;
  const armed = new Map<RotationFailpoint, FailpointAction>();
  for (const item of text.split(",")) {
    const [name, action] = item.trim().split(":");
    if (!(ROTATION_FAILPOINTS as readonly string[]).includes(name ?? "") || (action !== "kill" && action !== "throw")) {
      throw new ConfigError(
        `${FAILPOINT_ENV} (test only) must be <failpoint>:<kill|throw>[,…] with failpoints ${ROTATION_FAILPOINTS.join(", ")}, got ${JSON.stringify(item)}`,
        { context: { variable: FAILPOINT_ENV } },
      );
    }
    armed.set(name as RotationFailpoint, action);
  }
  return (name) => {
    const action = armed.get(name);
    if (action === "kill") kill();
    if (action === "throw") throw new FailpointError(name);
  };
}

function killSelf(): void {
  process.kill(process.pid, "SIGKILL");
}
