import { FAILPOINT_ENV, FAILPOINT_NAMES, FailpointError, failpointSwitchFrom, type FailpointAction } from "../../failpoints";

/**
 * TEST-ONLY failpoints of the rotation protocol (providers/failpoints.ts has the switch), read once
 * when a rotation hook or `secret stage` starts.
 */
export { FAILPOINT_ENV, FailpointError, type FailpointAction };

/** Boundaries in protocol order (see protocol.ts and stage.ts). */
export const ROTATION_FAILPOINTS = FAILPOINT_NAMES.rotation;

export type RotationFailpoint = (typeof ROTATION_FAILPOINTS)[number];

export type Failpoints = (name: RotationFailpoint) => void;

/** Never fires. */
export const noFailpoints: Failpoints = () => undefined;

/** Parses {@link FAILPOINT_ENV}: `kill` sends SIGKILL to this process; `throw` throws {@link FailpointError}. */
export function failpointsFrom(env: Readonly<Record<string, string | undefined>>, kill?: () => void): Failpoints {
  return failpointSwitchFrom(env, "rotation", kill);
}
