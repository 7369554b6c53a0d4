import { statSync } from "node:fs";
import * as path from "node:path";
import { PG_SCHEMA_PATTERN, formatBackendAddress, reservedPgSchemaProblem, type StateBackendAddress } from "../../contract/state-address";
import { ConfigError } from "../errors";
import { systemClock, type Clock } from "../clock";
import type { StateBackend } from "./backend-interface";
import { CredentialStateBackend } from "./backend-over-store";
import { lazyCurrentActor, type Actor } from "./history";
import { StateBackendNotFoundError } from "./errors";
import { KeyringLoader } from "./keyring";
import { LocalDocumentStore } from "./local/local-store";
import type { ProcessIdentity } from "./local/process-identity";
import { stderrLogger, type StateLogger } from "./logger";
import type { LockPollTiming } from "./poll-lock";
import type { PgTimeouts } from "./pg/sql";

export interface OpenStateBackendOptions {
  /**
   * Environment: state keys (CDKTF_XERO_STATE_KEY, CDKTF_XERO_STATE_KEY_FILE) and PostgreSQL
   * (PG_CONN_STR, else the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE;
   * those left unset here fall back to the pg library's defaults, which read `process.env`).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * A relative `local:<dir>` resolves against this (hooks run in the stack directory, so they pass it here).
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Where the embedded default key `.cdktf-xero/state.key` lives (next to cdktf.json), and where a
   * relative CDKTF_XERO_STATE_KEY_FILE resolves.
   * @default cwd
   */
  readonly projectRoot?: string;
  /** @default one line per warning on stderr */
  readonly logger?: StateLogger;
  /** Who history entries and lock files name. @default this process (`user@host`, pid) */
  readonly actor?: Actor;
  /**
   * Local backend: a lock older than this is taken over whoever holds it.
   * @default 600000 (10 minutes)
   */
  readonly staleLockAfterMs?: number;
  /**
   * Local backend: this process's boot id and PID namespace, recorded in lock files; a lock from
   * another boot or PID namespace is taken over only by age.
   * @default read from /proc/sys/kernel/random/boot_id and /proc/self/ns/pid (left out where absent)
   */
  readonly processIdentity?: () => ProcessIdentity;
  /**
   * Local backend only: whether to create `.cdktf-xero/state.key` when no key is configured and a
   * secret is written (the embedded default). A pg backend always needs a configured key.
   * @default true
   */
  readonly createDefaultKey?: boolean;
  /**
   * Whether opening may create the backend: the local directory (on the first write) or the pg
   * schema and its tables (at once). Read-only commands pass false: a backend that does not exist
   * (a typo in `--backend`, most likely) is then {@link StateBackendNotFoundError} and nothing is created.
   * @default true
   */
  readonly createIfMissing?: boolean;
  /** @default crypto.randomUUID */
  readonly newLineage?: () => string;
  /**
   * Waiting for a document lock: its monotonic clock, sleep and jitter source.
   * @default realLockPollTiming (performance.now, setTimeout, Math.random)
   */
  readonly lockPolling?: Partial<LockPollTiming>;
  /**
   * pg backend: PostgreSQL's lock_timeout and statement_timeout for migrations and writes (SET LOCAL
   * in their transactions), so a session that never ends its transaction cannot make them wait forever.
   * @default { lockTimeoutMs: 60000, statementTimeoutMs: 120000 }
   */
  readonly pgTimeouts?: Partial<PgTimeouts>;
  /** @default crypto.randomBytes */
  readonly randomBytes?: (size: number) => Buffer;
}

/**
 * Opens the state backend at `address`. The only place that knows which storage is used.
 *
 * @example
 * const backend = await openStateBackend(parseBackendAddress("pg:cdktf_xero")!, { env: process.env });
 */
export async function openStateBackend(address: StateBackendAddress, options: OpenStateBackendOptions = {}): Promise<StateBackend> {
  checkAddress(address);
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? stderrLogger;
  const actor = options.actor ?? lazyCurrentActor();
  const keys = new KeyringLoader({
    env,
    cwd: options.projectRoot ?? cwd,
    allowDefaultKeyFile: address.type === "local" && options.createDefaultKey !== false,
    logger,
    ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
  });
  const createIfMissing = options.createIfMissing !== false;
  if (address.type === "local" && !createIfMissing) expectDirectory(path.resolve(cwd, address.dir), formatBackendAddress(address), cwd);
  const store =
    address.type === "local"
      ? new LocalDocumentStore({
          dir: path.resolve(cwd, address.dir),
          clock,
          actor,
          logger,
          ...(options.staleLockAfterMs === undefined ? {} : { staleLockAfterMs: options.staleLockAfterMs }),
          ...(options.processIdentity === undefined ? {} : { processIdentity: options.processIdentity }),
          ...(options.lockPolling === undefined ? {} : { lockPolling: options.lockPolling }),
        })
      : // Loaded only for pg: every hook is a fresh process, and most use local files.
        await (await import("./pg/pg-store")).openPgStore({
          schema: address.schema,
          env,
          actor,
          logger,
          label: formatBackendAddress(address),
          createIfMissing,
          ...(options.pgTimeouts === undefined ? {} : { timeouts: options.pgTimeouts }),
          ...(options.lockPolling === undefined ? {} : { lockPolling: options.lockPolling }),
        });
  return new CredentialStateBackend({
    address,
    store,
    keys,
    clock,
    actor,
    ...(options.newLineage === undefined ? {} : { newLineage: options.newLineage }),
    ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
  });
}

/** Addresses normally come from parseBackendAddress; ones built by hand are checked the same way. */
function checkAddress(address: StateBackendAddress): void {
  if (address.type === "local" && address.dir.trim() === "") {
    throw new ConfigError("state backend local:<dir> needs a directory, got an empty one");
  }
  if (address.type === "pg" && !PG_SCHEMA_PATTERN.test(address.schema)) {
    throw new ConfigError(
      `state backend pg:<schema> needs a schema of lower-case letters, digits and _ (at most 63), got ${JSON.stringify(address.schema)}`,
    );
  }
  const reserved = address.type === "pg" ? reservedPgSchemaProblem(address.schema) : undefined;
  if (reserved !== undefined) throw new ConfigError(reserved);
}

/**
 * Synchronous, as the local store's reads are (local-store.ts): a `token` with a cached token then
 * makes no asynchronous file call, which would load node:fs/promises and start libuv's thread pool.
 */
function expectDirectory(dir: string, label: string, cwd: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new StateBackendNotFoundError(
      label,
      `there is no directory ${dir}`,
      `Check the directory in --backend (a relative one resolves against ${cwd}); the hooks create it on a deploy's first write`,
    );
  }
}
