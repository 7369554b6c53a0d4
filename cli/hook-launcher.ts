#!/usr/bin/env node
/**
 * What Terraform's provisioners run: the CLI, started fast. Terraform starts one process per hook,
 * so start-up is most of what a hook costs, and loading our modules and axios's (form-data,
 * follow-redirects and some thirty small packages) file by file took longer than the hook's work.
 * The build (scripts/build-hook-bundle.ts) puts the CLI in one file and saves V8's code cache for
 * it; here that file is compiled with the cache, so nothing is resolved file by file or parsed again.
 *
 * The plain CLI (main.js) runs instead, with the same behaviour, when:
 * - the command line is not a hook's (`hook <verb> [--json]`): commander and the other commands are
 *   not in the bundle, and must not mix with a second copy of the modules that are;
 * - there is no bundle, or one of our compiled files it was built from is newer (compiled again
 *   without bundling, as `tsc --watch` does), or a bundled dependency changed since (`npm update`;
 *   cli/hook-bundle-freshness.ts): no hook ever runs stale code;
 * - the bundle fails to load (a warning says so).
 * A code cache that V8 rejects (made by another Node.js version, or under other V8 flags such as a
 * different NODE_OPTIONS) is ignored: the bundle is compiled as usual, only slower.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire, wrap } from "node:module";
import { join, resolve } from "node:path";
import { Script } from "node:vm";
import { areDependenciesUnchanged, parseHookBundleInputs } from "./hook-bundle-freshness";

export const HOOK_BUNDLE_FILE = "hook-bundle.js";
export const HOOK_BUNDLE_CACHE_FILE = "hook-bundle.cache";
/** What the bundle was built from: our compiled files and the dependencies' versions (see hook-bundle-freshness.ts). */
export const HOOK_BUNDLE_INPUTS_FILE = "hook-bundle.inputs.json";

/** What became of the code cache: used, refused by V8 (and compiled without), or not there. */
export type CodeCacheUse = "accepted" | "rejected" | "absent";

export interface LoadedHookBundle {
  readonly exports: typeof import("./hook-bundle-entry");
  /** The compiled bundle: the build asks it for the code cache after its training run. */
  readonly script: Script;
  readonly codeCache: CodeCacheUse;
}

/**
 * Evaluates `<dir>/hook-bundle.js` as the CommonJS module it is, with its code cache unless
 * `useCodeCache` is false. Undefined when there is no bundle, or when it is older than a file it
 * was built from (or one of them is gone).
 */
export function loadHookBundle(dir: string = __dirname, options: { useCodeCache?: boolean } = {}): LoadedHookBundle | undefined {
  const file = join(dir, HOOK_BUNDLE_FILE);
  if (!isFresh(dir, file)) return undefined;
  const source = readFileSync(file, "utf8");
  const cachedData = options.useCodeCache === false ? undefined : readIfPresent(join(dir, HOOK_BUNDLE_CACHE_FILE));
  const script = new Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} as typeof import("./hook-bundle-entry") };
  const evaluate = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  evaluate.call(module.exports, module.exports, createRequire(file), module, file, dir);
  const codeCache: CodeCacheUse = cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "accepted";
  return { exports: module.exports, script, codeCache };
}

function isFresh(dir: string, bundle: string): boolean {
  const built = modifiedAt(bundle);
  const text = readIfPresent(join(dir, HOOK_BUNDLE_INPUTS_FILE));
  if (built === undefined || text === undefined) return false;
  const inputs = parseHookBundleInputs(text.toString("utf8"));
  if (inputs === undefined) return false;
  return inputs.files.every((input) => (modifiedAt(resolve(dir, input)) ?? Infinity) <= built) && areDependenciesUnchanged(dir, inputs);
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

/** The bundle, when it can serve `argv`; a load failure is reported and the plain CLI used. */
function bundleFor(argv: readonly string[]): typeof import("./hook-bundle-entry") | undefined {
  if (argv[0] !== "hook") return undefined;
  let bundle: LoadedHookBundle | undefined;
  try {
    bundle = loadHookBundle();
  } catch (error) {
    process.stderr.write(
      `cdktf-xero: warning: ${join(__dirname, HOOK_BUNDLE_FILE)} failed to load (${error instanceof Error ? error.message : String(error)}); ` +
        `running the plain CLI. Run \`npm run build\` in the cdktf-xero package to rebuild it.\n`,
    );
    return undefined;
  }
  return bundle?.exports.isHookCommandLine(argv) === true ? bundle.exports : undefined;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const cli = bundleFor(argv) ?? (require("./main") as typeof import("./main"));
  void cli.runCliAsProcess(argv);
}
