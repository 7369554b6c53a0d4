import type { ClientBase } from "pg";
import { StateLockedError } from "../errors";
import type { StateLogger } from "../logger";
import { pollLock, type LockAttempt, type LockPollTiming } from "../poll-lock";
import { describeSession, lockKey, rowKey, translatePgError, type LockKeys, type Tables } from "./sql";

/**
 * Per-document session advisory locks, each on a connection of its own for as long as it is held (a
 * session lock belongs to the connection, so no other work may borrow it meanwhile), taken with
 * `pg_try_advisory_lock` polling up to a deadline: a lock never waits forever. Where the connection
 * comes from, and where it goes once the lock is released (back to a pool, or closed), is the
 * caller's `connect`.
 *
 * Keys are two-int: (documents key of the schema, row id) for a document that exists, and
 * (creation key of the schema, hash of the name) while creating one. Whoever takes the row lock also
 * checks the creation lock is free, so a creator and a later locker of the same name exclude each other.
 */

/** A connection for one lock, and how to give it back once the lock is released or never taken. */
export interface LockConnection {
  readonly client: ClientBase;
  /**
   * Called once, after the lock's last use. `broken`: the connection failed (or its lock could not be
   * released) and must be closed rather than used again.
   */
  done(broken: Error | undefined): Promise<void>;
}

/** A held lock: the connection that holds it (for the holder's own statements) and its release. */
export interface HeldAdvisoryLock {
  readonly client: ClientBase;
  /** The connection's error, when it was lost while the lock was held (the lock ended with it). */
  lost(): Error | undefined;
  /** `broken`: the holder's statements failed the connection; it is closed rather than given back for reuse. */
  release(broken?: Error): Promise<void>;
}

export interface AdvisoryLockOptions {
  /** Opens or borrows the connection the lock is held on. */
  readonly connect: () => Promise<LockConnection>;
  readonly tables: Tables;
  readonly keys: LockKeys;
  readonly label: string;
  readonly logger: StateLogger;
  /** The waiting loop's clock, sleep and jitter. @default realLockPollTiming */
  readonly timing?: Partial<LockPollTiming>;
}

const POLL_MIN_MS = 10;
const POLL_MAX_MS = 150;

type Held = readonly [number, number];

export async function acquireAdvisoryLock(
  name: string,
  timeoutMs: number,
  options: AdvisoryLockOptions,
): Promise<HeldAdvisoryLock> {
  const { tables, keys, label, logger } = options;
  let connection: LockConnection;
  try {
    connection = await options.connect();
  } catch (error) {
    throw translatePgError(error, label, name);
  }
  const { client } = connection;
  let lost: Error | undefined;
  // A terminated connection emits 'error'; without a listener it would crash the process.
  const onError = (error: Error): void => {
    lost = error;
  };
  client.on("error", onError);
  const giveBack = async (broken: Error | undefined): Promise<void> => {
    client.off("error", onError);
    await connection.done(broken ?? lost).catch(() => undefined);
  };
  const tryLock = async (key1: number, key2: number): Promise<boolean> =>
    (await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::int, $2::int) AS locked", [key1, key2])).rows[0]
      ?.locked === true;
  const unlock = async (key1: number, key2: number): Promise<void> => {
    await client.query("SELECT pg_advisory_unlock($1::int, $2::int)", [key1, key2]);
  };
  const rowIdOf = async (): Promise<string | undefined> =>
    (await client.query<{ id: string }>(`SELECT id::text AS id FROM ${tables.states} WHERE name = $1`, [name])).rows[0]?.id;
  const creationKey = lockKey(`name:${name}`);

  const busy = { busy: undefined } as const;
  const attempt = async (): Promise<LockAttempt<Held, undefined>> => {
    const id = await rowIdOf();
    if (id !== undefined) {
      const rowLock: Held = [keys.documents, rowKey(id)];
      if (!(await tryLock(...rowLock))) return busy;
      const creatorAbsent = await tryLock(keys.creation, creationKey);
      if (creatorAbsent) await unlock(keys.creation, creationKey);
      if (creatorAbsent && (await rowIdOf()) === id) return { acquired: rowLock };
      await unlock(...rowLock);
      return creatorAbsent ? "retry" : busy;
    }
    const createLock: Held = [keys.creation, creationKey];
    if (!(await tryLock(...createLock))) return busy;
    if ((await rowIdOf()) === undefined) return { acquired: createLock };
    // Created between our two looks: lock the row instead.
    await unlock(...createLock);
    return "retry";
  };

  let lockHeld: Held;
  try {
    lockHeld = await pollLock<Held, undefined>({
      timeoutMs,
      minPollMs: POLL_MIN_MS,
      maxPollMs: POLL_MAX_MS,
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      attempt,
      timedOut: async () => {
        const id = await rowIdOf();
        const holder = await describeHolder(client, keys, id === undefined ? null : rowKey(id), creationKey);
        return new StateLockedError(name, holder, { timeoutMs });
      },
    });
  } catch (error) {
    // A deadline that passed leaves no lock held (each try undoes its own): the connection is clean.
    // Any other failure was a statement's or the connection's: it is closed.
    await giveBack(error instanceof StateLockedError ? undefined : asError(error));
    throw translatePgError(error, label, name);
  }

  return {
    client,
    lost: () => lost,
    release: async (failed?: Error) => {
      let broken = failed;
      try {
        if (lost !== undefined) {
          logger.warn(
            `the connection holding the lock of state document "${name}" in ${label} was lost (${lost.message}); ` +
              `the lock ended with it. Writes compare serials, so no change was lost.`,
          );
          return;
        }
        await unlock(...lockHeld);
      } catch (error) {
        broken = asError(error);
        logger.warn(`could not release the lock of state document "${name}" in ${label}: ${broken.message}`);
      } finally {
        await giveBack(broken);
      }
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Who holds the document's lock: the holder's application_name (`cdktf-xero user@host pid N`) and backend pid. */
async function describeHolder(client: ClientBase, keys: LockKeys, rowLockKey: number | null, creationKey: number): Promise<string> {
  const result = await client.query<{ application_name: string; pid: number; since: Date | null }>(
    `SELECT a.application_name, a.pid, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND ((l.classid = $1::int::oid AND l.objid = $2::int::oid) OR (l.classid = $3::int::oid AND l.objid = $4::int::oid))
      LIMIT 1`,
    [keys.documents, rowLockKey, keys.creation, creationKey],
  );
  const row = result.rows[0];
  if (row === undefined) return "another session (it released the lock just now)";
  return describeSession(row, row.since === null ? "" : `, connected since ${row.since.toISOString()}`);
}
