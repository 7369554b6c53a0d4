import { FAILPOINT_NAMES, FailpointError, failpointSwitchFrom, type FailpointSwitch } from "../failpoints";
import type { RefreshFailpoint } from "./locked-refresh";

/**
 * TEST-ONLY failpoints of the token vending protocol (locked-refresh.ts; providers/failpoints.ts has
 * the switch): `CDKTF_XERO_FAILPOINT=refresh-recorded:kill` makes a `token` process die (SIGKILL)
 * after its write-ahead record, as a crash or an OOM kill would.
 */

/** Boundaries in protocol order: the write-ahead record written, Xero's answer received, the new set written. */
export const REFRESH_FAILPOINTS: readonly RefreshFailpoint[] = FAILPOINT_NAMES.refresh;

/** Thrown by a `throw` failpoint: the in-process stand-in for a crash. */
export const RefreshFailpointError = FailpointError;

export type RefreshFailpoints = FailpointSwitch<RefreshFailpoint>;

/** Never fires. */
export const noRefreshFailpoints: RefreshFailpoints = () => undefined;

/** Parses the failpoint variable; the rotation's failpoints in it are left to the rotation. */
export function refreshFailpointsFrom(env: Readonly<Record<string, string | undefined>>, kill?: () => void): RefreshFailpoints {
  return failpointSwitchFrom(env, "refresh", kill);
}
