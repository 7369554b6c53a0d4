/**
 * The CLI, started fast. The commands started by the hundred as fresh processes (a hook: Terraform
 * starts one per hook resource; `token`: one per consumer call; `drift`: one per pipeline run) spend
 * most of their time starting: resolving and compiling our modules and axios's (form-data,
 * follow-redirects and some thirty small packages) file by file. The build
 * (scripts/build-cli-bundles.ts) puts what each of those commands runs in one file,
 * `<name>-bundle.js`, and saves V8's code cache for it after a training run; here that file is
 * compiled with the cache, so nothing is resolved file by file or parsed again.
 *
 * The plain CLI (main.js) runs instead, with the same behaviour, when:
 * - no bundle serves the command line (its entry's `servesCommandLine`: a hook's `hook <verb>
 *   [--json]`, the token fast path's plain `token` lines, every `drift` line, help included): commander's help
 *   and the other commands are not in the bundles, and must not mix with a second copy of the
 *   modules that are;
 * - there is no bundle, or one of our compiled files it was built from is gone or, in a checkout,
 *   newer (compiled again without bundling, as `tsc --watch` does), or a bundled dependency changed
 *   since (`npm update`; cli/bundle-freshness.ts): nothing ever runs stale code;
 * - the bundle fails to load (a warning says so).
 * A code cache that V8 rejects (made by another Node.js version, or under other V8 flags such as a
 * different NODE_OPTIONS) is ignored: the bundle is compiled as usual, only slower.
 *
 * Both entry points (main.js, the bin, and hook-launcher.js, the provisioners') call
 * {@link launchCli} before loading anything else, so this module loads only node:fs, node:path,
 * node:vm and bundle-freshness.ts.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";
import { areInputsUnchanged, parseBundleInputs } from "./bundle-freshness";

/** The bundles the build makes, each named after the command it serves. */
export const CLI_BUNDLE_NAMES = ["hook", "token", "drift"] as const;
export type CliBundleName = (typeof CLI_BUNDLE_NAMES)[number];

/** A bundle's files in dist/cli: the code, V8's code cache, and what it was built from (see bundle-freshness.ts). */
export function cliBundleFiles(name: CliBundleName): { readonly bundle: string; readonly cache: string; readonly inputs: string } {
  return { bundle: `${name}-bundle.js`, cache: `${name}-bundle.cache`, inputs: `${name}-bundle.inputs.json` };
}

/** What every bundle's entry (cli/<name>-bundle-entry.ts) exports for the launcher. */
export interface CliBundleEntry {
  /** Whether the bundle runs `argv` exactly as the plain CLI would; otherwise the plain CLI runs it. */
  servesCommandLine(argv: readonly string[]): boolean;
  runCliAsProcess(argv: readonly string[]): Promise<void>;
}

/** What became of the code cache: used, refused by V8 (and compiled without), or not there. */
export type CodeCacheUse = "accepted" | "rejected" | "absent";

export interface LoadedCliBundle<Entry extends object = CliBundleEntry> {
  readonly exports: Entry;
  /** The compiled bundle: the build asks it for the code cache after its training run. */
  readonly script: Script;
  readonly codeCache: CodeCacheUse;
}

/**
 * Evaluates `<dir>/<name>-bundle.js` as the CommonJS module it is, with its code cache unless
 * `useCodeCache` is false. Undefined when there is no bundle, or when it is older than a file it
 * was built from (or one of them is gone), or a bundled dependency changed.
 */
export function loadCliBundle<Entry extends object = CliBundleEntry>(
  name: CliBundleName,
  dir: string = __dirname,
  options: { useCodeCache?: boolean } = {},
): LoadedCliBundle<Entry> | undefined {
  const files = cliBundleFiles(name);
  const file = join(dir, files.bundle);
  if (!isFresh(dir, file, join(dir, files.inputs))) return undefined;
  const source = readFileSync(file, "utf8");
  const cachedData = options.useCodeCache === false ? undefined : readIfPresent(join(dir, files.cache));
  const script = new Script(wrapAsCommonJs(source), { filename: file, cachedData });
  const module = { exports: {} as Entry };
  const evaluate = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  evaluate.call(module.exports, module.exports, requireFrom(dir, file), module, file, dir);
  const codeCache: CodeCacheUse = cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "accepted";
  return { exports: module.exports, script, codeCache };
}

/**
 * The bundle's source as a CommonJS module's function, as node:module's `wrap` makes it. Not
 * node:module itself: loading it loads Node's ES module loader too, a millisecond or two of every
 * `token` call that nothing here uses. The build's code cache is made from the same text.
 */
function wrapAsCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
}

/**
 * The bundle's `require` (for what it leaves out: commander, axios, pg), resolving from its own
 * directory: this module's own when the bundle sits beside it (always, once built), else one made
 * for it (node:module, loaded only then: tests and the build load bundles from other directories).
 */
function requireFrom(dir: string, file: string): NodeRequire {
  return dir === __dirname ? require : (require("node:module") as typeof import("node:module")).createRequire(file);
}

function isFresh(dir: string, bundle: string, inputsFile: string): boolean {
  const built = modifiedAt(bundle);
  if (built === undefined) return false;
  const text = readIfPresent(inputsFile);
  if (text === undefined) return false;
  const inputs = parseBundleInputs(text.toString("utf8"));
  return inputs !== undefined && areInputsUnchanged(dir, built, inputs);
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

/** The bundle that may serve `argv`: the one named after its command, if any. */
export function bundleNameFor(argv: readonly string[]): CliBundleName | undefined {
  const command = argv[0];
  return (CLI_BUNDLE_NAMES as readonly string[]).includes(command ?? "") ? (command as CliBundleName) : undefined;
}

/** The bundle, when one is fresh and serves `argv`; a load failure is reported and the plain CLI used. */
function bundleFor(argv: readonly string[], dir: string): CliBundleEntry | undefined {
  const name = bundleNameFor(argv);
  if (name === undefined) return undefined;
  let bundle: LoadedCliBundle | undefined;
  try {
    bundle = loadCliBundle(name, dir);
  } catch (error) {
    process.stderr.write(
      `cdktf-xero: warning: ${join(dir, cliBundleFiles(name).bundle)} failed to load (${error instanceof Error ? error.message : String(error)}); ` +
        `running the plain CLI. Run \`npm run build\` in the cdktf-xero package to rebuild it.\n`,
    );
    return undefined;
  }
  return bundle?.exports.servesCommandLine(argv) === true ? bundle.exports : undefined;
}

/** Runs `argv` as this process: from its bundle when one serves it, else with the plain CLI (main.js). */
export function launchCli(argv: readonly string[], dir: string = __dirname): void {
  const cli = bundleFor(argv, dir) ?? (require("./main") as typeof import("./main"));
  void cli.runCliAsProcess(argv);
}
