import { promises as fs, readdirSync, type Dirent } from "node:fs";
import * as path from "node:path";
import { checkDocumentName, localDocumentFile } from "../../../contract/state-address";
import type { Clock } from "../../clock";
import { parseDocument, serializeDocument, type StoredDocument } from "../document";
import { parseHistoryEntry, type Actor, type HistoryEntry } from "../history";
import type { StateLogger } from "../logger";
import type { DocumentStore, LockRelease, SwapPlan } from "../store-primitives";
import {
  appendLineDurably,
  ensureDir,
  isTempFile,
  readFileIfExists,
  removeFileDurably,
  translateFsError,
  writeFileAtomic,
} from "./files";
import type { ProcessIdentity } from "./process-identity";
import type { LockPollTiming } from "../poll-lock";

/**
 * `local:<dir>`: `<dir>/<name>.tfstate` per document (what `terraform_remote_state` with
 * `backend = "local"` reads), `<name>.history.jsonl` beside it, `<name>.lock` while locked.
 */

export interface LocalStoreOptions {
  /** Absolute backend directory. */
  readonly dir: string;
  readonly clock: Clock;
  readonly actor: Actor;
  readonly logger: StateLogger;
  /** @default 600000 (10 minutes) */
  readonly staleLockAfterMs?: number;
  readonly isProcessAlive?: (pid: number) => boolean;
  /** This process's boot id and PID namespace, for lock takeover. @default read from /proc */
  readonly processIdentity?: () => ProcessIdentity;
  /** The lock wait's clock, sleep and jitter. @default realLockPollTiming */
  readonly lockPolling?: Partial<LockPollTiming>;
  /** Lock tokens. @default crypto.randomUUID */
  readonly newId?: () => string;
}

export const DEFAULT_STALE_LOCK_AFTER_MS = 10 * 60_000;
const DOCUMENT_SUFFIX = ".tfstate";
/** How much of a history file's end is read to find its last entry: many entries' worth. */
const HISTORY_TAIL_BYTES = 64 * 1024;

export class LocalDocumentStore implements DocumentStore {
  readonly label: string;
  readonly swapNeedsLock = true;

  constructor(private readonly options: LocalStoreOptions) {
    this.label = `local:${options.dir}`;
  }

  locationOf(name: string): string {
    return path.join(this.options.dir, localDocumentFile(name));
  }

  async read(name: string): Promise<StoredDocument | undefined> {
    const file = this.locationOf(name);
    const text = readFileIfExists(file, name);
    return text === undefined ? undefined : parseDocument(name, file, text);
  }

  async swap(name: string, decide: (current: StoredDocument | undefined) => SwapPlan): Promise<void> {
    const file = this.locationOf(name);
    const plan = decide(await this.read(name));
    if (plan.next === undefined) {
      await removeFileDurably(file, name);
    } else {
      await ensureDir(path.dirname(file), name);
      await writeFileAtomic(file, serializeDocument(plan.next), name);
    }
    // After the document: a crash in between leaves a change without its history line, never a
    // history line without its change; the next holder of the lock records it (recordLostHistory).
    await appendLineDurably(this.historyFile(name), JSON.stringify(plan.entry), name);
  }

  async lock(name: string, timeoutMs: number): Promise<LockRelease> {
    const release = await this.acquireLock(name, timeoutMs);
    try {
      await this.recordLostHistory(name);
    } catch (error) {
      await release();
      throw error;
    }
    return release;
  }

  /**
   * A writer killed between a document's rename and its history append leaves a change with no
   * history line. Under the document's lock, compare the serial the history ends at with the
   * document's and, when they differ, append an `unrecorded` entry for that change (who noticed,
   * when): the history then accounts for every serial, as issue 3's audit trail promises.
   */
  private async recordLostHistory(name: string): Promise<void> {
    const last = await this.lastHistoryEntry(name);
    let current: StoredDocument | undefined;
    try {
      current = await this.read(name);
    } catch {
      return; // An unreadable document is reported by the operation that reads it, not here.
    }
    if (last === undefined && current === undefined) return;
    const recordedSerial = last === undefined ? null : last.serialAfter;
    const currentSerial = current === undefined ? null : current.serial;
    if (recordedSerial === currentSerial) return;
    const { actor, clock, logger } = this.options;
    const entry: HistoryEntry = {
      document: name,
      action: "unrecorded",
      serialBefore: recordedSerial,
      serialAfter: currentSerial,
      actor: actor.user,
      pid: actor.pid,
      at: clock.now().toISOString(),
    };
    await appendLineDurably(this.historyFile(name), JSON.stringify(entry), name);
    logger.warn(
      `${name}: the change from serial ${String(recordedSerial)} to ${String(currentSerial)} had no history line ` +
        `(its writer was stopped between the document and the history); recorded it as "unrecorded".`,
    );
  }

  /** The last readable entry of the document's history, reading only the file's tail. */
  private async lastHistoryEntry(name: string): Promise<HistoryEntry | undefined> {
    const file = this.historyFile(name);
    let handle: import("node:fs/promises").FileHandle;
    try {
      handle = await fs.open(file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw translateFsError(error, name, file);
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, HISTORY_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const lines = buffer.toString("utf8").split("\n");
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!.trim();
        if (line === "") continue;
        try {
          const entry = parseHistoryEntry(JSON.parse(line));
          if (entry !== undefined) return entry;
        } catch {
          // A line cut by a crash (or the tail's first, partial line): look further back.
        }
      }
      return undefined;
    } finally {
      await handle.close();
    }
  }

  private acquireLock(name: string, timeoutMs: number): Promise<LockRelease> {
    const { clock, actor, logger, isProcessAlive, processIdentity, lockPolling, newId } = this.options;
    // Loaded on the first lock (with poll-lock, perf_hooks and process identity): a read, such as a
    // cached `cdktf-xero token`, takes none.
    const { acquireLockFile } = require("./lock-file") as typeof import("./lock-file");
    return acquireLockFile(path.join(this.options.dir, `${name}.lock`), {
      document: name,
      timeoutMs,
      staleAfterMs: this.options.staleLockAfterMs ?? DEFAULT_STALE_LOCK_AFTER_MS,
      clock,
      actor,
      logger,
      ...(isProcessAlive === undefined ? {} : { isProcessAlive }),
      ...(processIdentity === undefined ? {} : { processIdentity }),
      ...(lockPolling === undefined ? {} : { timing: lockPolling }),
      ...(newId === undefined ? {} : { newId }),
    });
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    for (const batch of this.walk()) names.push(...batch);
    return names.sort();
  }

  /** A directory's documents at a time, as {@link walk} finds them. */
  async *listInBatches(): AsyncGenerator<readonly string[]> {
    yield* this.walk();
  }

  /**
   * The backend's directories depth first, each as the names of the documents directly in it (a
   * stack's documents sit in a directory per resource with children: `App0/rotation`). Synchronous,
   * as a document's read is (files.ts): a walk awaited directory by directory was a serial chain of
   * hundreds of reads.
   */
  private *walk(): Generator<string[]> {
    const pending = [""];
    for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
      const dir = path.join(this.options.dir, relative);
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw translateFsError(error, relative === "" ? "(all)" : relative, dir);
      }
      const names: string[] = [];
      const children: string[] = [];
      for (const entry of entries) {
        const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) children.push(child);
        else if (entry.isFile() && entry.name.endsWith(DOCUMENT_SUFFIX) && !isTempFile(entry.name)) {
          const name = child.slice(0, -DOCUMENT_SUFFIX.length);
          if (checkDocumentName(name) === undefined) names.push(name);
        }
      }
      // Last pushed, first walked: the children in the order the directory listed them.
      pending.push(...children.reverse());
      yield names;
    }
  }

  async history(name: string): Promise<HistoryEntry[]> {
    const file = this.historyFile(name);
    const text = readFileIfExists(file, name);
    if (text === undefined) return [];
    const entries: HistoryEntry[] = [];
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let entry: HistoryEntry | undefined;
      try {
        entry = parseHistoryEntry(JSON.parse(line));
      } catch {
        entry = undefined;
      }
      if (entry === undefined) skipped += 1;
      else entries.push(entry);
    }
    if (skipped > 0) {
      this.options.logger.warn(`skipped ${skipped} unreadable line(s) in ${file} (a write interrupted by a crash leaves one).`);
    }
    return entries;
  }

  async close(): Promise<void> {
    // Nothing held between calls: locks are released by the operations that took them.
  }

  private historyFile(name: string): string {
    return path.join(this.options.dir, `${name}.history.jsonl`);
  }
}
