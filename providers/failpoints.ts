import { ConfigError } from "./errors";

/**
 * TEST-ONLY failpoints: named step boundaries of a protocol (the rotation's, the token refresh's)
 * where a test makes the process die (SIGKILL, as a crash or an OOM kill would) or throw, to prove
 * that a run cut off at any boundary, then run again, ends where an uninterrupted run ends.
 *
 * `CDKTF_XERO_FAILPOINT=<failpoint>:<kill|throw>[,…]` is read once, when a command starts; one
 * variable serves every protocol, and each takes its own names and leaves the others'. Unset
 * (always, outside tests), every failpoint is a no-op.
 */
export const FAILPOINT_ENV = "CDKTF_XERO_FAILPOINT";

/**
 * Every protocol's failpoint names, in protocol order, listed together so that each protocol takes
 * its own from the one variable, accepts the others' and still refuses a typo.
 */
export const FAILPOINT_NAMES = {
  /** The rotation (providers/lifecycle/rotation: protocol.ts and stage.ts). */
  rotation: ["locked", "bootstrap-proved", "bootstrapped", "testing-recorded", "tested", "promoted", "finished", "recorded", "stage-tested", "staged"],
  /** The token refresh (providers/tokens/locked-refresh.ts): the write-ahead record written, Xero's answer received, the new set written. */
  refresh: ["refresh-recorded", "refresh-answered", "refresh-written"],
} as const;

export type FailpointProtocol = keyof typeof FAILPOINT_NAMES;
export type FailpointName<P extends FailpointProtocol> = (typeof FAILPOINT_NAMES)[P][number];

/** What a failpoint does when reached. */
export type FailpointAction = "kill" | "throw";

/** Thrown by a `throw` failpoint: the in-process stand-in for a crash. */
export class FailpointError<Name extends string = string> extends Error {
  readonly code = "FAILPOINT";
  constructor(readonly failpoint: Name) {
    super(`failpoint ${failpoint} reached (${FAILPOINT_ENV}; test only)`);
    this.name = "FailpointError";
  }
}

/** A protocol's failpoints: called at each boundary; fires when the environment armed it. */
export type FailpointSwitch<Name extends string> = (name: Name) => void;

const OTHERS_LABEL: Readonly<Record<FailpointProtocol, string>> = { rotation: "the token refresh's", refresh: "the rotation's" };

/**
 * Parses {@link FAILPOINT_ENV} for one protocol: its own failpoints armed, the other protocols'
 * left alone. `kill` sends SIGKILL to this process: no cleanup, locks stay until taken over.
 */
export function failpointSwitchFrom<P extends FailpointProtocol>(
  env: Readonly<Record<string, string | undefined>>,
  protocol: P,
  kill: () => void = killSelf,
): FailpointSwitch<FailpointName<P>> {
  const text = env[FAILPOINT_ENV]?.trim();
  if (text === undefined || text === "") return () => undefined;
  const own = FAILPOINT_NAMES[protocol] as readonly string[];
  const known = Object.values(FAILPOINT_NAMES).flat() as readonly string[];
  const armed = new Map<string, FailpointAction>();
  for (const item of text.split(",")) {
    const [name = "", action] = item.trim().split(":");
    if (!known.includes(name) || (action !== "kill" && action !== "throw")) {
      const others = ` (or ${OTHERS_LABEL[protocol]})`;
      throw new ConfigError(`${FAILPOINT_ENV} (test only) must be <failpoint>:<kill|throw>[,…] with failpoints ${own.join(", ")}${others}, got ${JSON.stringify(item)}`, {
        context: { variable: FAILPOINT_ENV },
      });
    }
    if (own.includes(name)) armed.set(name, action);
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
