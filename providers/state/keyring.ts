import { createHmac, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { StateKeyFileExposedError, StateKeyInvalidError } from "./errors";
import type { StateLogger } from "./logger";

/**
 * State keys: AES-256 keys with ids, so keys can rotate. The first key of a keyring writes; every key
 * reads the envelopes that name its id. Keys never leave this module's objects: not in messages, not
 * in `context`, not in logs.
 */

export const STATE_KEY_ENV = "CDKTF_XERO_STATE_KEY";
export const STATE_KEY_FILE_ENV = "CDKTF_XERO_STATE_KEY_FILE";
/** The embedded default's key file, relative to the project root (the working directory). */
export const DEFAULT_STATE_KEY_FILE = ".cdktf-xero/state.key";

const KEY_BYTES = 32;
/** The largest key file read: a keyring is about 110 bytes per key, so this is some 140 keys. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface StateKey {
  readonly kid: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** Writes with the first key. Empty when no key is configured. */
  readonly keys: readonly StateKey[];
  /** Where the keys came from, for messages: an environment variable name or a file path. */
  readonly source: string;
}

/**
 * Parses `base64` or `kid:base64,kid:base64`. A key without a kid gets a stable kid derived from the
 * key itself (an HMAC, so it reveals nothing), which lets a later keyring name it.
 */
export function parseKeyring(text: string, source: string): Keyring {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "" && !entry.startsWith("#"));
  if (entries.length === 0) throw new StateKeyInvalidError(source, "it is empty");
  const keys: StateKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(":");
    const kidText = colon === -1 ? undefined : entry.slice(0, colon);
    const keyText = colon === -1 ? entry : entry.slice(colon + 1);
    const key = Buffer.from(keyText, "base64");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText) || key.length !== KEY_BYTES) {
      throw new StateKeyInvalidError(source, `entry ${index + 1} is not a base64-encoded ${KEY_BYTES}-byte key (it decodes to ${key.length} bytes)`);
    }
    if (kidText !== undefined && !KID_PATTERN.test(kidText)) {
      throw new StateKeyInvalidError(source, `entry ${index + 1} has key id ${JSON.stringify(kidText)}; use letters, digits, ".", "_" or "-"`);
    }
    const kid = kidText ?? deriveKid(key);
    if (keys.some((existing) => existing.kid === kid)) {
      throw new StateKeyInvalidError(source, `key id "${kid}" appears twice`);
    }
    keys.push({ kid, key });
  });
  return { keys, source };
}

/** A key's id when the configuration gives none: `k-` and 8 hex digits of an HMAC of the key. */
export function deriveKid(key: Buffer): string {
  return `k-${createHmac("sha256", key).update("cdktf-xero state key id").digest("hex").slice(0, 8)}`;
}

export interface KeyringSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Project root for the embedded default key file. */
  readonly cwd: string;
  /** True for the embedded default (local backend): may create `.cdktf-xero/state.key`. */
  readonly allowDefaultKeyFile: boolean;
  readonly logger: StateLogger;
  readonly randomBytes?: (size: number) => Buffer;
}

/**
 * Loads the keyring lazily and at most once: from CDKTF_XERO_STATE_KEY, else CDKTF_XERO_STATE_KEY_FILE,
 * else (embedded default only) `.cdktf-xero/state.key`, created with mode 0600 on the first write.
 */
export class KeyringLoader {
  private loaded: Keyring | undefined;

  constructor(private readonly source: KeyringSource) {}

  /** The keyring for reading: may be empty (then reading a secret fails with a clear error). */
  async forReading(): Promise<Keyring> {
    if (this.loaded !== undefined) return this.loaded;
    const { env, cwd, allowDefaultKeyFile } = this.source;
    const inline = env[STATE_KEY_ENV];
    if (inline !== undefined && inline.trim() !== "") return this.remember(parseKeyring(inline, STATE_KEY_ENV));
    const file = env[STATE_KEY_FILE_ENV];
    if (file !== undefined && file.trim() !== "") {
      const filePath = path.resolve(cwd, file);
      const text = await readKeyFile(filePath, `${STATE_KEY_FILE_ENV} (${filePath})`);
      return this.remember(parseKeyring(text ?? "", filePath));
    }
    if (allowDefaultKeyFile) {
      const filePath = path.resolve(cwd, DEFAULT_STATE_KEY_FILE);
      const text = await readKeyFile(filePath, filePath, { missingOk: true });
      if (text !== undefined) return this.remember(parseKeyring(text, filePath));
    }
    // Not remembered: a later write may still create the default key.
    return { keys: [], source: "none" };
  }

  /** Whether a write with no key configured creates the embedded default key (local backend only). */
  get mayCreateDefaultKey(): boolean {
    return this.source.allowDefaultKeyFile;
  }

  /** The keyring for writing: creates the embedded default key if allowed and nothing is configured. */
  async forWriting(): Promise<Keyring> {
    const keyring = await this.forReading();
    if (keyring.keys.length > 0 || !this.source.allowDefaultKeyFile) return keyring;
    const filePath = path.resolve(this.source.cwd, DEFAULT_STATE_KEY_FILE);
    const key = (this.source.randomBytes ?? randomBytes)(KEY_BYTES);
    await fs.mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 });
    // Written to a temp file and linked into place: two processes creating the default key at once end up
    // with one key, and neither ever reads a half-written file.
    const temp = `${filePath}.${process.pid}.${key.subarray(0, 4).toString("hex")}.tmp`;
    try {
      await fs.writeFile(temp, `${deriveKid(key)}:${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
      await fs.link(temp, filePath);
      this.source.logger.warn(
        `created a state key at ${filePath} (mode 0600) to encrypt secrets in the local state backend. ` +
          `Keep it out of version control and back it up; without it the stored secrets cannot be read. ` +
          `Set ${STATE_KEY_ENV} or ${STATE_KEY_FILE_ENV} to use your own key.`,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new StateKeyInvalidError(filePath, `it cannot be created (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    } finally {
      await fs.rm(temp, { force: true });
    }
    const text = await readKeyFile(filePath, filePath);
    return this.remember(parseKeyring(text ?? "", filePath));
  }

  private remember(keyring: Keyring): Keyring {
    this.loaded = keyring;
    return keyring;
  }
}

/**
 * Reads a key file: only a regular file, at most {@link MAX_KEY_FILE_BYTES}, readable by its owner
 * only (not checked on Windows, which has no such mode bits).
 */
async function readKeyFile(filePath: string, source: string, options: { missingOk?: boolean } = {}): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(filePath, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && options.missingOk === true) return undefined;
    throw new StateKeyInvalidError(source, `the file cannot be read (${code ?? "error"})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new StateKeyInvalidError(source, "it is not a regular file");
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) throw new StateKeyFileExposedError(filePath, stat.mode & 0o7777);
    const tooBig = (size: number): StateKeyInvalidError =>
      new StateKeyInvalidError(source, `the file is ${size} bytes or more; a key file holds at most ${MAX_KEY_FILE_BYTES} bytes`);
    if (stat.size > MAX_KEY_FILE_BYTES) throw tooBig(stat.size);
    // Read with a bound, not by the size seen above: the file may have grown since.
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_KEY_FILE_BYTES) throw tooBig(bytesRead);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch (error) {
    if (error instanceof StateKeyInvalidError || error instanceof StateKeyFileExposedError) throw error;
    throw new StateKeyInvalidError(source, `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  } finally {
    await handle.close();
  }
}
