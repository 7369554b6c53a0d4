#!/usr/bin/env node
/**
 * What Terraform's provisioners run: the CLI, started fast. Terraform starts one process per hook,
 * so start-up is most of what a hook costs, and loading our modules and axios's (form-data,
 * follow-redirects and some thirty small packages) file by file took longer than the hook's work.
 * The build (scripts/build-hook-bundle.ts) puts the CLI in one file and saves V8's code cache for
 * it; here that file is compiled with the cache, so nothing is resolved file by file or parsed again.
 *
 * Without the bundle, or with one older than the compiled CLI beside it (tsc ran again without the
 * bundling step), the plain CLI runs: the same behaviour, slower, and never stale code.
 * A cache that V8 rejects (made by another Node.js version, or with other V8 flags) is ignored.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire, wrap } from "node:module";
import { join } from "node:path";
import { Script } from "node:vm";

export const HOOK_BUNDLE_FILE = "hook-bundle.js";
export const HOOK_BUNDLE_CACHE_FILE = "hook-bundle.cache";

/** What became of the code cache: used, refused by V8 (and compiled without), or not there. */
export type CodeCacheUse = "accepted" | "rejected" | "absent";

export interface LoadedHookBundle {
  readonly exports: typeof import("./hook-bundle-entry");
  /** The compiled bundle: the build asks it for the code cache after warming it up. */
  readonly script: Script;
  readonly codeCache: CodeCacheUse;
}

/**
 * Evaluates `<dir>/hook-bundle.js` as the CommonJS module it is, with its code cache unless
 * `useCodeCache` is false. Undefined when there is no bundle, or when `<dir>/main.js` is newer.
 */
export function loadHookBundle(dir: string = __dirname, options: { useCodeCache?: boolean } = {}): LoadedHookBundle | undefined {
  const file = join(dir, HOOK_BUNDLE_FILE);
  const built = modifiedAt(file);
  if (built === undefined || (modifiedAt(join(dir, "main.js")) ?? 0) > built) return undefined;
  const source = readFileSync(file, "utf8");
  const cachedData = options.useCodeCache === false ? undefined : readIfPresent(join(dir, HOOK_BUNDLE_CACHE_FILE));
  const script = new Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} as typeof import("./hook-bundle-entry") };
  const evaluate = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  evaluate.call(module.exports, module.exports, createRequire(file), module, file, dir);
  const codeCache: CodeCacheUse = cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "accepted";
  return { exports: module.exports, script, codeCache };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function modifiedAt(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

if (require.main === module) {
  const cli = loadHookBundle()?.exports ?? (require("./main") as typeof import("./main"));
  void cli.runCliAsProcess(process.argv.slice(2));
}
