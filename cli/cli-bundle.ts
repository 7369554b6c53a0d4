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
 * A bundle may leave what its command rarely runs to a part ({@link CLI_BUNDLE_PARTS}: the token
 * bundle holds what a cached token runs, its part the rest of `token`). The part is a bundle of its
 * own, with its own freshness check and code cache, loaded when the bundle first requires one of our
 * compiled files. Both put their modules in Node's module cache ({@link shareBundledModules}), so
 * that each module has one instance in the process whichever way it was reached: the part's modules
 * use the bundle's, and a part that is stale or missing (dist/'s files are then loaded instead) or
 * fails to load (with a warning) leaves dist/'s files using them too. The one exception is a file
 * the process loaded from dist/ before the bundle shared its modules: it keeps that entry. In a CLI
 * process that is main.js alone (the bin), which holds no state and defines no class; the build's
 * training runs, which load dist/'s state and Xero modules first, use those instances.
 *
 * Both entry points (main.js, the bin, and hook-launcher.js, the provisioners') call
 * {@link launchCli} before loading anything else, so this module loads only node:fs, node:path,
 * node:vm and bundle-freshness.ts.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { areInputsUnchanged, inputResolver, parseBundleInputs } from "./bundle-freshness";

/** The bundles the build makes, each named after the command it serves. */
export const CLI_BUNDLE_NAMES = ["hook", "token", "drift"] as const;
export type CliBundleName = (typeof CLI_BUNDLE_NAMES)[number];

/**
 * A bundle's part: what its command runs only now and then, in a bundle of its own that the command's
 * bundle loads the first time it needs any of it (see {@link shareBundledModules}). The token bundle
 * holds what a cached token runs; its part, `token-refresh`, the rest of `token`: a refresh, a Custom
 * Connection's client credentials, a pg backend, the local lock, an error's advice. A cached token
 * on a local backend reads, deserializes and checks the freshness of the token bundle alone, half the
 * code it was; anything else loads the part too.
 */
export const CLI_BUNDLE_PARTS = { token: "token-refresh" } as const satisfies Partial<Record<CliBundleName, string>>;
export type CliBundlePartName = (typeof CLI_BUNDLE_PARTS)[keyof typeof CLI_BUNDLE_PARTS];

/** A bundle's files in dist/cli: the code, V8's code cache, and what it was built from (see bundle-freshness.ts). */
export function cliBundleFiles(name: CliBundleName | CliBundlePartName): { readonly bundle: string; readonly cache: string; readonly inputs: string } {
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
  /** The bundle's part, once the bundle has loaded it (the build trains it and saves its code cache too). */
  loadedPart(): LoadedCliBundle<object> | undefined;
}

/**
 * What the entry of a bundle that shares its modules exports besides its own (the build generates
 * it): each of our compiled files in the bundle, by its path relative to the bundle's directory, and
 * a function that returns the bundle's instance of that module (evaluating it when first asked).
 */
export interface SharedModules {
  readonly bundledModules: Readonly<Record<string, () => unknown>>;
}

/**
 * Evaluates `<dir>/<name>-bundle.js` as the CommonJS module it is, with its code cache unless
 * `useCodeCache` is false. Undefined when there is no bundle, or when it is older than a file it
 * was built from (or one of them is gone), or a bundled dependency changed.
 */
export function loadCliBundle<Entry extends object = CliBundleEntry>(
  name: CliBundleName | CliBundlePartName,
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
  const part = (CLI_BUNDLE_PARTS as Partial<Record<string, CliBundlePartName>>)[name];
  let loadedPart: LoadedCliBundle<object> | undefined;
  let evaluated = false;
  const share = (): void => {
    if (isSharing(module.exports)) shareBundledModules(dir, module.exports.bundledModules);
  };
  // A bundle with a part shares its modules the first time it requires one of our files: only from
  // then on can a module from outside it (its part, dist/) require one of them, and a cached token
  // never gets there. A part shares its modules at once: they are what its bundle asked for.
  const bundleRequire =
    part === undefined
      ? requireSharedFirst(requireFrom(dir, file), dir)
      : requireLoadingPartFirst(requireSharedFirst(requireFrom(dir, file), dir), (id) => {
          if (!evaluated) throw new Error(`${file} required ${id} before it was evaluated, so it could not share its modules first`);
          share();
          loadedPart = loadPart(part, dir, options);
        });
  evaluate.call(module.exports, module.exports, bundleRequire, module, file, dir);
  evaluated = true;
  if (part === undefined) share();
  const codeCache: CodeCacheUse = cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "accepted";
  return { exports: module.exports, script, codeCache, loadedPart: () => loadedPart };
}

function isSharing(exports: object): exports is SharedModules {
  return typeof (exports as Partial<SharedModules>).bundledModules === "object";
}

/**
 * Puts the bundle's instances of our modules in Node's module cache, under their compiled files' names,
 * so that a module loaded after the bundle (from its part, or from dist/ when the part cannot run)
 * that requires one of them gets the bundle's instance: one instance of each module per process, as
 * instanceof and module state need. Nothing is evaluated here: an entry evaluates its module the first
 * time it is required. A module this process has already loaded keeps its own entry.
 */
function shareBundledModules(dir: string, modules: SharedModules["bundledModules"]): void {
  const locate = moduleLocator(dir);
  const cache = require.cache;
  for (const [path, instance] of Object.entries(modules)) {
    const filename = locate(path);
    if (cache[filename] === undefined) cache[filename] = sharedModule(filename, instance);
  }
}

/** The module cache entries {@link shareBundledModules} made. */
const sharedEntries = new WeakSet<object>();

/** A module cache entry whose exports are the bundle's instance; what Node's loader reads of one (loaded, exports, children). */
function sharedModule(filename: string, instance: () => unknown): NodeModule {
  const entry = { id: filename, filename, path: dirname(filename), loaded: true, children: [], paths: [] };
  sharedEntries.add(entry);
  return Object.defineProperty(entry, "exports", { enumerable: true, get: instance }) as unknown as NodeModule;
}

/** Where Node's module cache keeps a file a bundle in `dir` names relative to it: by its real path (this module's own directory is one). */
function moduleLocator(dir: string): (path: string) => string {
  return inputResolver(dir === __dirname ? dir : realpathSync.native(dir));
}

/**
 * The require of a bundle in `dir`: one of our compiled files that a bundle has shared is answered
 * from its module cache entry, as Node's loader would answer it, without resolving the path again
 * (a `stat` and a `realpath` for each file a refresh's part asks of the token bundle); anything
 * else goes to Node's loader.
 */
function requireSharedFirst(base: NodeRequire, dir: string): NodeRequire {
  let locate: ((path: string) => string) | undefined;
  const sharedFirst = (id: string): unknown => {
    if (id.startsWith(".")) {
      locate ??= moduleLocator(dir);
      const entry = require.cache[locate(id)];
      if (entry !== undefined && sharedEntries.has(entry)) return entry.exports;
    }
    return base(id);
  };
  return Object.assign(sharedFirst, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions }) as NodeRequire;
}

/**
 * The require of a bundle that has a part: the bundle requires one of our compiled files (a relative
 * path) only where it leaves what it holds, and the first time it does, `leave` runs first (once):
 * the bundle shares its modules and loads its part, so that the module comes from the part, already
 * in Node's module cache, rather than from dist/.
 */
function requireLoadingPartFirst(base: NodeRequire, leave: (id: string) => void): NodeRequire {
  let left = false;
  const partFirst = (id: string): unknown => {
    if (!left && id.startsWith(".")) {
      left = true;
      leave(id);
    }
    return base(id);
  };
  return Object.assign(partFirst, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions }) as NodeRequire;
}

/**
 * The part, or undefined when it is stale or missing (its modules then load from dist/, sharing the
 * bundle's instances like any other). One that fails to load is reported, and dist/ used the same way.
 */
function loadPart(part: CliBundlePartName, dir: string, options: { useCodeCache?: boolean }): LoadedCliBundle<object> | undefined {
  try {
    return loadCliBundle<object>(part, dir, options);
  } catch (error) {
    warnBundleFailed(join(dir, cliBundleFiles(part).bundle), error, "loading what it holds from dist/ instead");
    return undefined;
  }
}

function warnBundleFailed(file: string, error: unknown, instead: string): void {
  process.stderr.write(
    `cdktf-xero: warning: ${file} failed to load (${error instanceof Error ? error.message : String(error)}); ${instead}. ` +
      `Run \`npm run build\` in the cdktf-xero package to rebuild it.\n`,
  );
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
    warnBundleFailed(join(dir, cliBundleFiles(name).bundle), error, "running the plain CLI");
    return undefined;
  }
  return bundle?.exports.servesCommandLine(argv) === true ? bundle.exports : undefined;
}

/** Runs `argv` as this process: from its bundle when one serves it, else with the plain CLI (main.js). */
export function launchCli(argv: readonly string[], dir: string = __dirname): void {
  const cli = bundleFor(argv, dir) ?? (require("./main") as typeof import("./main"));
  void cli.runCliAsProcess(argv);
}
