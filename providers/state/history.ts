/**
 * The audit trail: one entry per change of a document. Entries hold serials, the actor and, for
 * secrets, keyed fingerprints only; never a value.
 */

/** What a change did. `create`/`write` come from writes; the others from the named operations. */
export type HistoryAction = "create" | "write" | "retire" | "delete" | "rekey" | (string & {});

export interface Actor {
  /** `user@host` */
  readonly user: string;
  readonly host: string;
  readonly pid: number;
}

export interface HistoryEntry {
  readonly document: string;
  readonly action: HistoryAction;
  readonly serialBefore: number | null;
  readonly serialAfter: number | null;
  /** `user@host` */
  readonly actor: string;
  readonly pid: number;
  /** ISO 8601 */
  readonly at: string;
  /** Keyed fingerprints of the secrets after the change, when the envelope could be opened. */
  readonly secretFingerprints?: Readonly<Record<string, string>>;
}

/** The current process as an actor. */
export function currentActor(): Actor {
  const os = require("node:os") as typeof import("node:os");
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still says who.
    user = `uid${typeof process.getuid === "function" ? process.getuid() : "?"}`;
  }
  return { user: `${user}@${os.hostname()}`, host: os.hostname(), pid: process.pid };
}

/**
 * The current process as an actor, looked up when first asked (the user's passwd entry, the host
 * name): a backend records its actor only on a write or a lock, and a read (`token` with a cached
 * token) then never loads node:os nor asks the system who it runs as.
 */
export function lazyCurrentActor(): Actor {
  let found: Actor | undefined;
  const actor = (): Actor => (found ??= currentActor());
  return {
    get user() {
      return actor().user;
    },
    get host() {
      return actor().host;
    },
    pid: process.pid,
  };
}

/** Validates one stored entry; undefined when it is not an entry (a torn line, foreign data). */
export function parseHistoryEntry(raw: unknown): HistoryEntry | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const serial = (v: unknown): v is number | null => v === null || (typeof v === "number" && Number.isSafeInteger(v));
  if (typeof r.document !== "string" || typeof r.action !== "string" || typeof r.actor !== "string") return undefined;
  if (typeof r.at !== "string" || typeof r.pid !== "number" || !serial(r.serialBefore) || !serial(r.serialAfter)) return undefined;
  const fingerprints = r.secretFingerprints;
  const entry: HistoryEntry = {
    document: r.document,
    action: r.action,
    serialBefore: r.serialBefore,
    serialAfter: r.serialAfter,
    actor: r.actor,
    pid: r.pid,
    at: r.at,
  };
  if (
    typeof fingerprints === "object" &&
    fingerprints !== null &&
    !Array.isArray(fingerprints) &&
    Object.values(fingerprints).every((v) => typeof v === "string")
  ) {
    return { ...entry, secretFingerprints: fingerprints as Record<string, string> };
  }
  return entry;
}
