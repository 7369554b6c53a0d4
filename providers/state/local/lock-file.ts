import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Clock } from "../../clock";
import { StateLockedError } from "../errors";
import type { Actor } from "../history";
import type { StateLogger } from "../logger";
import { pollLock, realLockPollTiming, type LockPollTiming } from "../poll-lock";
import { FILE_MODE, ensureDir, translateFsError } from "./files";
import { currentProcessIdentity, isSameRuntime, type ProcessIdentity } from "./process-identity";

/**
 * A lock file per document, created exclusively (O_EXCL + link), holding who owns it. A lock whose process is gone
 * (same host, same boot and PID namespace) or that is older than a bound is taken over with a warning; waiting has
 * a timeout. Containers sharing a state volume and a host name but not a PID namespace cannot see each other's
 * processes, so a lock recording another boot id or PID namespace is taken over only by age (process-identity.ts).
 * A lock without that record (written by an older version, or where /proc is absent) is judged by host and pid.
 */

export interface LockFileInfo {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  /** ISO 8601, from the injected clock */
  readonly createdAt: string;
  readonly token: string;
  readonly document: string;
  /** The holder's boot id (Linux), see {@link ProcessIdentity}. */
  readonly bootId?: string;
  /** The holder's PID namespace (Linux), see {@link ProcessIdentity}. */
  readonly pidNamespace?: string;
}

export interface LockFileOptions {
  readonly document: string;
  readonly timeoutMs: number;
  /** A lock older than this is abandoned whoever holds it. */
  readonly staleAfterMs: number;
  readonly clock: Clock;
  readonly actor: Actor;
  readonly logger: StateLogger;
  /** Whether a process exists on this host; injectable for tests. */
  readonly isProcessAlive?: (pid: number) => boolean;
  /** This process's boot id and PID namespace. @default read from /proc once per process */
  readonly processIdentity?: () => ProcessIdentity;
  /** The waiting loop's clock, sleep and jitter. @default realLockPollTiming */
  readonly timing?: Partial<LockPollTiming>;
  /** The lock's token, which tells this holder's lock file from a later one. @default crypto.randomUUID */
  readonly newId?: () => string;
}

/** A lock file whose content cannot be read (written by something else) counts as abandoned after this long. */
const UNREADABLE_GRACE_MS = 10_000;
/** The takeover guard is held for a read and an unlink; one older than this was left by a crash. */
const GUARD_STALE_MS = 10_000;
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;

type Holder =
  | { readonly kind: "gone" }
  | { readonly kind: "info"; readonly info: LockFileInfo }
  | { readonly kind: "unreadable"; readonly modifiedMs: number };

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock at `lockPath`; resolves to a release function that never throws (it warns instead). */
export async function acquireLockFile(lockPath: string, options: LockFileOptions): Promise<() => Promise<void>> {
  const { document, clock, actor, logger } = options;
  const identity = (options.processIdentity ?? currentProcessIdentity)();
  const info: LockFileInfo = {
    owner: actor.user,
    host: actor.host,
    pid: actor.pid,
    createdAt: clock.now().toISOString(),
    token: (options.newId ?? randomUUID)(),
    document,
    ...identity,
  };
  const sleep = options.timing?.sleep ?? realLockPollTiming.sleep;
  return pollLock<() => Promise<void>, Holder>({
    timeoutMs: options.timeoutMs,
    minPollMs: POLL_MIN_MS,
    maxPollMs: POLL_MAX_MS,
    ...(options.timing === undefined ? {} : { timing: options.timing }),
    attempt: async () => {
      if (await tryCreate(lockPath, info, document)) return { acquired: () => releaseLockFile(lockPath, info, logger) };
      const holder = await readHolder(lockPath, document);
      if (holder.kind === "gone") return "retry";
      if (describeStaleness(holder, options) !== undefined) {
        await takeOver(lockPath, options, sleep);
        return "retry";
      }
      return { busy: holder };
    },
    timedOut: (holder) => new StateLockedError(document, describeHolder(holder), { timeoutMs: options.timeoutMs }),
  });
}

/**
 * Creates the lock file with its content in one step: the content goes to a temp file created with
 * O_EXCL, which is then hard-linked to the lock path (link fails with EEXIST like O_EXCL does). So a
 * crash never leaves an empty lock file that nobody can attribute.
 */
async function tryCreate(lockPath: string, info: LockFileInfo, document: string): Promise<boolean> {
  const temp = path.join(path.dirname(lockPath), `.${path.basename(lockPath)}.${info.pid}.${info.token}.tmp`);
  for (;;) {
    try {
      const handle = await fs.open(temp, "wx", FILE_MODE);
      try {
        await handle.writeFile(JSON.stringify(info), "utf8");
      } finally {
        await handle.close();
      }
      try {
        await fs.link(temp, lockPath);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      } finally {
        await fs.rm(temp, { force: true });
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        await ensureDir(path.dirname(lockPath), document);
        continue;
      }
      throw translateFsError(error, document, lockPath);
    }
  }
}

async function readHolder(lockPath: string, document: string): Promise<Holder> {
  let text: string;
  let modifiedMs: number;
  try {
    const [content, stat] = await Promise.all([fs.readFile(lockPath, "utf8"), fs.stat(lockPath)]);
    text = content;
    modifiedMs = stat.mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "gone" };
    throw translateFsError(error, document, lockPath);
  }
  const info = parseLockInfo(text);
  return info === undefined ? { kind: "unreadable", modifiedMs } : { kind: "info", info };
}

function parseLockInfo(text: string): LockFileInfo | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.owner !== "string" || typeof r.host !== "string" || typeof r.pid !== "number") return undefined;
  if (typeof r.createdAt !== "string" || Number.isNaN(Date.parse(r.createdAt)) || typeof r.token !== "string") return undefined;
  return {
    owner: r.owner,
    host: r.host,
    pid: r.pid,
    createdAt: r.createdAt,
    token: r.token,
    document: typeof r.document === "string" ? r.document : "",
    ...(typeof r.bootId === "string" ? { bootId: r.bootId } : {}),
    ...(typeof r.pidNamespace === "string" ? { pidNamespace: r.pidNamespace } : {}),
  };
}

/** Why the holder's lock is abandoned, or undefined when it must be respected. */
function describeStaleness(holder: Holder, options: LockFileOptions): string | undefined {
  const now = options.clock.now().getTime();
  if (holder.kind === "unreadable") {
    // Not written by this code (lock files appear whole); mtime is the filesystem's clock, so compare with it.
    return Date.now() - holder.modifiedMs > UNREADABLE_GRACE_MS ? "its lock file is unreadable and old" : undefined;
  }
  if (holder.kind !== "info") return undefined;
  const { info } = holder;
  const alive = options.isProcessAlive ?? isProcessAlive;
  if (info.host === options.actor.host && info.pid !== options.actor.pid && isSameRuntimeAs(info, options) && !alive(info.pid)) {
    return `process ${info.pid} on ${info.host} is gone`;
  }
  const ageMs = now - Date.parse(info.createdAt);
  if (ageMs > options.staleAfterMs) return `it is ${Math.round(ageMs / 1000)} s old (the bound is ${Math.round(options.staleAfterMs / 1000)} s)`;
  return undefined;
}

/** Whether the holder's pid means a process of this boot and PID namespace (a lock without that record: assumed so). */
function isSameRuntimeAs(info: LockFileInfo, options: LockFileOptions): boolean {
  if (info.bootId === undefined && info.pidNamespace === undefined) return true;
  return isSameRuntime(info, (options.processIdentity ?? currentProcessIdentity)());
}

function describeHolder(holder: Holder): string {
  if (holder.kind === "info") {
    const { info } = holder;
    return `${info.owner} (pid ${info.pid}) since ${info.createdAt}`;
  }
  return "an unknown process (its lock file is unreadable)";
}

/**
 * Removes an abandoned lock. A guard file makes the check-and-remove one step among waiters: without it,
 * two waiters could both judge the same lock stale and the slower one would remove the faster one's
 * fresh lock.
 */
async function takeOver(lockPath: string, options: LockFileOptions, sleep: (ms: number) => Promise<void>): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await (await fs.open(guard, "wx", FILE_MODE)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw translateFsError(error, options.document, guard);
    const stat = await fs.stat(guard).catch(() => undefined);
    if (stat !== undefined && Date.now() - stat.mtimeMs > GUARD_STALE_MS) await fs.rm(guard, { force: true });
    else await sleep(POLL_MIN_MS);
    return;
  }
  try {
    const holder = await readHolder(lockPath, options.document);
    if (holder.kind === "gone") return;
    const stillStale = describeStaleness(holder, options);
    if (stillStale === undefined) return;
    await fs.rm(lockPath, { force: true });
    options.logger.warn(
      `took over the lock of state document "${options.document}" held by ${describeHolder(holder)}: ${stillStale}.`,
    );
  } finally {
    await fs.rm(guard, { force: true });
  }
}

async function releaseLockFile(lockPath: string, info: LockFileInfo, logger: StateLogger): Promise<void> {
  try {
    const current = parseLockInfo(await fs.readFile(lockPath, "utf8"));
    if (current?.token !== info.token) {
      logger.warn(
        `the lock of state document "${info.document}" was taken over while this process held it ` +
          `(it was older than the staleness bound); the data is safe (writes compare serials), but the bound may be too short.`,
      );
      return;
    }
    await fs.rm(lockPath, { force: true });
  } catch (error) {
    logger.warn(`could not release the lock of state document "${info.document}" at ${lockPath}: ${(error as Error).message}`);
  }
}
