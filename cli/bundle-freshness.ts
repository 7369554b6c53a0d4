/**
 * Whether a CLI bundle (cli/cli-bundle.ts: the hook, token and drift bundles) still matches what it
 * was built from. A bundle carries its own copies of its dependencies (axios, pg and theirs), so
 * besides our compiled files (in a checkout by modification time, see {@link areInputsUnchanged}) it
 * is stale once a dependency changes without a rebuild (`npm update`):
 *
 * - with the package's lockfile where the build found it (a checkout): the lockfile. Its size and
 *   modification time are compared first; only when they differ is it hashed (SHA-256), so a CLI
 *   process normally pays one `stat`, and a lockfile rewritten with the same content keeps the bundle.
 * - without it (installed as a dependency: npm ships no lockfile): the version in each bundled
 *   package's package.json, found the way Node.js resolves it from this directory.
 *
 * Every file read goes through {@link FreshnessFs}, so the decisions are tested without a build.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

/** What the build records next to each bundle (`<name>-bundle.inputs.json`). */
export interface BundleInputs {
  /** Our compiled files, relative to the bundle's directory. */
  readonly files: readonly string[];
  /**
   * Each of {@link files}' size in bytes at build time, in the same order: installed as a dependency,
   * where modification times say nothing, a compiled file edited after the install (a hand fix or
   * patch-package in node_modules) changes its size, so the bundle stops serving it.
   */
  readonly sizes?: readonly number[];
  /** The package's lockfile at build time, when there was one. */
  readonly lockfile?: { readonly path: string; readonly size: number; readonly mtimeMs: number; readonly sha256: string };
  /**
   * Bundled packages and their versions. Keys are paths below the first `node_modules`
   * (`axios`, `@scope/name`, `a/node_modules/b` for a nested copy).
   */
  readonly packages: Readonly<Record<string, string>>;
}

/** The file system as the freshness check sees it. */
export interface FreshnessFs {
  /** Size and modification time, or undefined when there is no such file. */
  stat(file: string): { readonly size: number; readonly mtimeMs: number } | undefined;
  /** The file's bytes, or undefined when there is no such file. */
  read(file: string): Buffer | undefined;
}

export const realFreshnessFs: FreshnessFs = {
  stat: (file) => {
    const stats = statSync(file, { throwIfNoEntry: false });
    return stats === undefined ? undefined : { size: stats.size, mtimeMs: stats.mtimeMs };
  },
  read: (file) => {
    try {
      return readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
      throw error;
    }
  },
};

/**
 * SHA-256 of a lockfile's bytes, hex. node:crypto is loaded here, only when a lockfile changed: every
 * CLI process runs the freshness check first, and most never hash.
 */
export function hashLockfile(contents: Buffer): string {
  return (require("node:crypto") as typeof import("node:crypto")).createHash("sha256").update(contents).digest("hex");
}

/** Parses a `<name>-bundle.inputs.json`; undefined for anything else (an older build's plain list included: it recorded no dependencies). */
export function parseBundleInputs(text: string): BundleInputs | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const { files, sizes, lockfile, packages } = parsed as Record<string, unknown>;
  if (!Array.isArray(files) || !files.every((file) => typeof file === "string")) return undefined;
  if (sizes !== undefined && (!Array.isArray(sizes) || sizes.length !== files.length || !sizes.every((size) => typeof size === "number"))) return undefined;
  if (packages === null || typeof packages !== "object" || Array.isArray(packages)) return undefined;
  if (!Object.values(packages).every((version) => typeof version === "string")) return undefined;
  if (lockfile !== undefined) {
    const l = lockfile as Record<string, unknown>;
    if (typeof l["path"] !== "string" || typeof l["size"] !== "number" || typeof l["mtimeMs"] !== "number" || typeof l["sha256"] !== "string") return undefined;
  }
  return parsed as BundleInputs;
}

/**
 * Whether a bundle built at `builtAtMs` still matches its inputs: our compiled files, then its
 * dependencies ({@link areDependenciesUnchanged}). In a checkout (the build's lockfile is where it
 * was) a compiled file newer than the bundle was compiled again without bundling (`tsc --watch`),
 * so the bundle is stale. Installed as a dependency (no lockfile), npm extracted every file at its
 * own time in no set order, so times say nothing there: each file must still exist, with the size
 * the build recorded (one `stat` either way).
 */
export function areInputsUnchanged(dir: string, builtAtMs: number, inputs: BundleInputs, fs: FreshnessFs = realFreshnessFs): boolean {
  const inCheckout = inputs.lockfile !== undefined && fs.stat(resolve(dir, inputs.lockfile.path)) !== undefined;
  const locate = inputResolver(dir);
  const current = (input: string, index: number): boolean => {
    const stat = fs.stat(locate(input));
    if (stat === undefined) return false;
    if (inCheckout) return stat.mtimeMs <= builtAtMs;
    const built = inputs.sizes?.[index];
    return built === undefined || stat.size === built;
  };
  return inputs.files.every(current) && areDependenciesUnchanged(dir, inputs, fs);
}

/**
 * `resolve(dir, input)`, with each input's folder resolved once: a bundle's inputs are forty to a
 * hundred files in a dozen folders, and every CLI process resolves them all before it starts.
 */
export function inputResolver(dir: string): (input: string) => string {
  const folders = new Map<string, string>();
  return (input) => {
    const cut = Math.max(input.lastIndexOf("/"), input.lastIndexOf("\\"));
    const name = input.slice(cut + 1);
    if (name === "" || name === "." || name === "..") return resolve(dir, input);
    const folder = input.slice(0, cut + 1);
    let at = folders.get(folder);
    if (at === undefined) {
      at = resolve(dir, folder);
      folders.set(folder, at);
    }
    return at.endsWith(sep) ? `${at}${name}` : `${at}${sep}${name}`;
  };
}

/** Whether every bundled dependency is still the one built in (see the module comment). */
export function areDependenciesUnchanged(dir: string, inputs: BundleInputs, fs: FreshnessFs = realFreshnessFs): boolean {
  if (inputs.lockfile !== undefined) {
    const file = resolve(dir, inputs.lockfile.path);
    const now = fs.stat(file);
    if (now !== undefined) {
      if (now.size === inputs.lockfile.size && now.mtimeMs === inputs.lockfile.mtimeMs) return true;
      const contents = fs.read(file);
      return contents !== undefined && hashLockfile(contents) === inputs.lockfile.sha256;
    }
  }
  const roots = nodeModulesDirectories(dir, fs);
  return Object.entries(inputs.packages).every(([packagePath, version]) => installedVersion(packagePath, roots, fs) === version);
}

/** The `node_modules` directories Node.js would search from `dir`, nearest first (those that exist). */
function nodeModulesDirectories(dir: string, fs: FreshnessFs): string[] {
  const found: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const candidate = join(at, "node_modules");
    if (fs.stat(candidate) !== undefined) found.push(candidate);
    if (dirname(at) === at) return found;
  }
}

function installedVersion(packagePath: string, roots: readonly string[], fs: FreshnessFs): string | undefined {
  for (const root of roots) {
    const manifest = fs.read(join(root, packagePath, "package.json"));
    if (manifest === undefined) continue;
    try {
      const version = (JSON.parse(manifest.toString("utf8")) as { version?: unknown }).version;
      return typeof version === "string" ? version : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The package path below the first `node_modules` of a bundled file (`node_modules/@a/b/lib/x.js` →
 * `@a/b`; `node_modules/a/node_modules/b/x.js` → `a/node_modules/b`), or undefined for our own files.
 */
export function bundledPackagePath(input: string): string | undefined {
  const parts = input.split(/[\\/]/);
  const first = parts.indexOf("node_modules");
  if (first === -1) return undefined;
  const path: string[] = [];
  let at = first + 1;
  for (;;) {
    const name = parts[at];
    if (name === undefined) return undefined;
    const scoped = name.startsWith("@");
    const full = scoped ? `${name}/${parts[at + 1] ?? ""}` : name;
    path.push(full);
    at += scoped ? 2 : 1;
    if (parts[at] !== "node_modules") return path.join("/node_modules/");
    at += 1;
  }
}
