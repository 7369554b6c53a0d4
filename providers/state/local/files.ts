import { randomBytes } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import { StatePermissionError } from "../errors";

/**
 * Durable file operations for the local backend: a reader sees the previous or the next content of a
 * file, never a torn one, and a completed write survives a crash (the data and the rename are fsync'd).
 */

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const PERMISSION_CODES = new Set(["EACCES", "EPERM", "ENOTDIR", "EROFS", "EISDIR"]);

/** Turns a filesystem refusal into StatePermissionError naming the document; other errors pass through. */
export function translateFsError(error: unknown, document: string, filePath: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && PERMISSION_CODES.has(code)) {
    return new StatePermissionError(document, filePath, {
      cause: error,
      errno: code,
      fix:
        `Point --backend at a directory this user can write (local:<dir>), or fix the owner and mode of ` +
        `${path.dirname(filePath)} and its parents (the backend keeps directories at 0700 and files at 0600).`,
    });
  }
  return error;
}

/** Creates the directory (and parents) with mode 0700. Existing directories keep their mode. */
export async function ensureDir(dir: string, document: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw translateFsError(error, document, dir);
  }
}

/** Temp files are hidden (`.`) so listing never mistakes one for a document. */
export function isTempFile(fileName: string): boolean {
  return fileName.startsWith(".") && fileName.endsWith(".tmp");
}

/**
 * Writes `content` to `file` atomically: a temp file in the same directory (mode 0600), fsync, rename
 * over the target, fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(file: string, content: string, document: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await fs.open(temp, "wx", FILE_MODE);
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw translateFsError(error, document, dir);
  }
  await syncDir(dir, document);
}

/** Removes `file` durably; false when it did not exist. */
export async function removeFileDurably(file: string, document: string): Promise<boolean> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw translateFsError(error, document, file);
  }
  await syncDir(path.dirname(file), document);
  return true;
}

/** fsync of a directory makes a rename or unlink in it durable. */
export async function syncDir(dir: string, document: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw translateFsError(error, document, dir);
  }
}

/**
 * Appends one line and fsyncs. If a crash left a torn last line, the new line starts on a fresh one, so
 * one torn line never swallows the next entry.
 */
export async function appendLineDurably(file: string, line: string, document: string): Promise<void> {
  try {
    const handle = await fs.open(file, "a+", FILE_MODE);
    try {
      const { size } = await handle.stat();
      let prefix = "";
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last.toString("utf8") !== "\n") prefix = "\n";
      }
      await handle.appendFile(`${prefix}${line}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw translateFsError(error, document, file);
  }
}

/**
 * The file's text, or undefined when it does not exist. Synchronous: a document is a small local
 * file, and a read is then one system call, with neither node:fs/promises nor libuv's thread pool
 * to start. fs.promises.readFile (a FileHandle, then open, fstat, read and close each as a promise)
 * cost about ten times the CPU: most of what a `token` with a cached token spent on its read, and
 * 270 ms against 25 ms for a drift run's 750 documents. Writers replace files by rename, so a reader
 * sees a whole file either way.
 */
export function readFileIfExists(file: string, document: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw translateFsError(error, document, file);
  }
}
