import { ConfigError } from "../errors";
import type { RefreshFailpoint } from "./locked-refresh";

/**
 * TEST-ONLY failpoints of the token vending protocol (locked-refresh.ts), set from the environment
 * the way the rotation's are (providers/lifecycle/rotation/failpoints.ts, the same variable and
 * syntax): `CDKTF_XERO_FAILPOINT=refresh-recorded:kill` makes a `token` process die (SIGKILL) after
 * its write-ahead record, as a crash or an OOM kill would. Rotation failpoints in the same variable
 * are left to the rotation. Unset (always, outside tests), every failpoint is a no-op.
 */
export const TOKEN_FAILPOINT_ENV = "CDKTF_XERO_FAILPOINT";

/** Boundaries in protocol order: the write-ahead record written, Xero's answer received, the new set written. */
export const REFRESH_FAILPOINTS: readonly RefreshFailpoint[] = ["refresh-recorded", "refresh-answered", "refresh-written"];

/** The rotation's boundaries, accepted here and ignored (they belong to rotation hooks and `secret stage`). */
const ROTATION_FAILPOINT_NAMES: ReadonlySet<string> = new Set([
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
]);

/** Thrown by a `throw` failpoint: the in-process stand-in for a crash. */
export class RefreshFailpointError extends Error {
  readonly code = "FAILPOINT";
  constructor(readonly failpoint: RefreshFailpoint) {
    super(`failpoint ${failpoint} reached (${TOKEN_FAILPOINT_ENV}; test only)`);
    this.name = "RefreshFailpointError";
  }
}

export type RefreshFailpoints = (name: RefreshFailpoint) => void;

/** Never fires. */
export const noRefreshFailpoints: RefreshFailpoints = () => undefined;

/** Parses {@link TOKEN_FAILPOINT_ENV}; `kill` sends SIGKILL to this process (no cleanup: the lock stays until taken over). */
export function refreshFailpointsFrom(env: Readonly<Record<string, string | undefined>>, kill: () => void = killSelf): RefreshFailpoints {
  const text = env[TOKEN_FAILPOINT_ENV]?.trim();
  if (text === undefined || text === "") return noRefreshFailpoints;
  const armed = new Map<RefreshFailpoint, "kill" | "throw">();
  for (const item of text.split(",")) {
    const [name = "", action] = item.trim().split(":");
    const known = (REFRESH_FAILPOINTS as readonly string[]).includes(name) || ROTATION_FAILPOINT_NAMES.has(name);
    if (!known || (action !== "kill" && action !== "throw")) {
      throw new ConfigError(
        `${TOKEN_FAILPOINT_ENV} (test only) must be <failpoint>:<kill|throw>[,…] with failpoints ${REFRESH_FAILPOINTS.join(", ")} ` +
          `(or the rotation's), got ${JSON.stringify(item)}`,
        { context: { variable: TOKEN_FAILPOINT_ENV } },
      );
    }
    if ((REFRESH_FAILPOINTS as readonly string[]).includes(name)) armed.set(name as RefreshFailpoint, action);
  }
  return (name) => {
    const action = armed.get(name);
    if (action === "kill") kill();
    if (action === "throw") throw new RefreshFailpointError(name);
  };
}

function killSelf(): void {
  process.kill(process.pid, "SIGKILL");
}
