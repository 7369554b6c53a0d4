/**
 * The build's last step (`npm run build`, after tsc): bundles what the CLI's most started commands
 * run (a hook, `token`, `drift`) into dist/cli/<name>-bundle.js, one file each, and saves V8's code
 * cache for each as dist/cli/<name>-bundle.cache. Why, and when the plain CLI runs instead:
 * cli/cli-bundle.ts.
 *
 * The cache holds the functions compiled by the time it is made, so before saving it the build runs
 * each bundle through its command against the embedded emulator, in this process
 * (scripts/cli-bundle-training.ts). A cache made after module loading alone left a hook apply about
 * 15 ms slower. A bundle with a part (the token bundle: what a cached token runs; its part
 * token-refresh: the rest of `token`) is built in two esbuild passes, the first to learn which of
 * our files it holds, the second with a generated entry that lists them for the module cache; the
 * part's cache is saved after a refresh run through the bundle, the bundle's before it.
 *
 *   node dist/scripts/build-cli-bundles.js
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { bundledPackagePath, hashLockfile, type BundleInputs } from "../cli/bundle-freshness";
import { CLI_BUNDLE_PARTS, cliBundleFiles, loadCliBundle, type CliBundleName, type CliBundlePartName, type LoadedCliBundle } from "../cli/cli-bundle";
import { startTraining, trainDriftBundle, trainHookBundle, trainTokenBundle, trainTokenRefreshBundle, type Training } from "./cli-bundle-training";

const CLI_DIR = join(__dirname, "..", "cli");

interface BundleRecipe {
  readonly name: CliBundleName;
  /** The compiled entry, in dist/cli. */
  readonly entry: string;
  /**
   * Left out of the bundle and loaded from node_modules or dist/ if ever needed: what the command
   * never runs. Each import path as written in cli/main.ts (resolved against dist/cli at run time).
   */
  readonly external: readonly string[];
  /**
   * How the bundle is minified: the process reads the whole file before it runs a line, so size is
   * start-up time. Errors and stack traces must read the same as the plain CLI's (an error's name is
   * its class's), so names are kept either way:
   * - "identifiers": identifiers shortened too, names kept by esbuild's keepNames, which gives every
   *   function and class its name back as the module loads (an Object.defineProperty each);
   * - "syntax": whitespace and syntax only; identifiers, names included, stay as compiled. A larger
   *   file, but nothing runs to restore names: for a bundle whose every call is a fresh process
   *   that loads most of its modules (token, hook), less work than the bytes it saves.
   */
  readonly minify: "identifiers" | "syntax";
  readonly train: (bundle: LoadedCliBundle<object>, training: Training) => Promise<void>;
  /**
   * What the command runs only now and then goes to the bundle's part (CLI_BUNDLE_PARTS): these
   * imports, each as written in our compiled files, and what they import that the bundle does not
   * hold. Both bundles share their modules (cli/cli-bundle.ts), so each has one instance per process.
   */
  readonly part?: {
    readonly imports: readonly string[];
    /** Runs the command through the bundle so that it loads its part, before the part's code cache is saved. */
    readonly train: (bundle: LoadedCliBundle<object>, training: Training) => Promise<void>;
  };
}

/**
 * jose verifies ID tokens (`connect`); pg-native is pg's optional native driver; supports-color is
 * debug's optional colour support (debug comes with follow-redirects), found in a checkout only
 * through development dependencies: bundled, it made every installed bundle stale, as a package
 * the installation lacks.
 */
const NEVER_BUNDLED = ["jose", "pg-native", "supports-color"];

const RECIPES: readonly BundleRecipe[] = [
  {
    // Not on a hook's path: commander and the command registry (a person at a terminal), the
    // `token` command (which has its own bundle), axios (the Xero client sends over Node's http
    // module, and loads axios from node_modules only behind a proxy).
    name: "hook",
    entry: "hook-bundle-entry.js",
    external: ["commander", "./commands", "./commands/token", "axios", ...NEVER_BUNDLED],
    minify: "syntax",
    train: (bundle, training) => trainHookBundle(bundle.exports as typeof import("../cli/hook-bundle-entry"), training),
  },
  {
    // The token fast path runs without commander, the registry or the hook command (and with it
    // every kind's lifecycle). pg (a pg backend) and axios (behind a proxy) load from node_modules
    // when needed: a cached token on a local backend reads neither, and they would more than double
    // the file it reads first. The launcher (./cli-bundle, this process's own) is never reached
    // from the bundle.
    name: "token",
    entry: "token-bundle-entry.js",
    external: ["commander", "./commands", "./commands/hook", "./cli-bundle", "axios", "pg", ...NEVER_BUNDLED],
    minify: "syntax",
    train: (bundle, training) => trainTokenBundle(bundle.exports as typeof import("../cli/token-bundle-entry"), training),
    part: {
      // What a cached token on a local backend never runs: half the bundle's code, which every call
      // read, deserialized and checked the freshness of.
      imports: [
        // providers/tokens/get-access-token.ts: a refresh, a Custom Connection's client credentials, the recorded declaration, a registration's outputs
        "./connection-grant",
        "./custom-connection-token",
        "../../contract/hook-spec",
        "../../contract/registration",
        // providers/tokens/locked-refresh.ts: Xero's answer to a refresh
        "../xero/errors",
        // providers/state: a pg backend, the local backend's lock
        "./pg/pg-store",
        "./lock-file",
        // cli/main.ts: an error's advice; what only commander's command lines need
        "../providers/lifecycle/runtime/recovery",
        "../contract/hook-spec",
        "./usage-errors",
        "./version",
      ],
      train: (bundle, training) => trainTokenRefreshBundle(bundle.exports as typeof import("../cli/token-bundle-entry"), training),
    },
  },
  {
    // commander parses drift's flags; the registry, the hook and token commands are not reached,
    // pg loads from node_modules for a pg backend only, and axios behind a proxy only (Node's http
    // module makes the calls otherwise).
    name: "drift",
    entry: "drift-bundle-entry.js",
    external: ["./commands", "./commands/hook", "./commands/token", "pg", "axios", ...NEVER_BUNDLED],
    minify: "identifiers",
    train: (bundle, training) => trainDriftBundle(bundle.exports as typeof import("../cli/drift-bundle-entry"), training),
  },
];

/**
 * commander requires node:child_process as it loads, for executable subcommands, which cdktf-xero
 * has none of. In a bundle it gets a stand-in that loads the module on first use: with dgram and
 * internal/child_process it was about 2.5 ms of every drift run before its first call to Xero.
 */
const LAZY_FOR_COMMANDER = "lazy-for-commander";
const lazyChildProcessForCommander: Plugin = {
  name: "lazy-child-process-for-commander",
  setup(on) {
    on.onResolve({ filter: /^(node:)?child_process$/ }, ({ importer }) =>
      importer.includes(`${sep}node_modules${sep}commander${sep}`) ? { path: "child_process", namespace: LAZY_FOR_COMMANDER } : undefined,
    );
    on.onLoad({ filter: /.*/, namespace: LAZY_FOR_COMMANDER }, () => ({
      loader: "js",
      contents:
        'let loaded; const real = () => (loaded ??= require("node:child_process"));\n' +
        "module.exports = new Proxy({}, { get: (_target, key) => real()[key], has: (_target, key) => key in real() });\n",
    }));
  },
};

/** esbuild's options for one bundle of `recipe` (its entry given by the caller). */
function esbuildOptions(recipe: BundleRecipe): BuildOptions {
  return {
    plugins: [lazyChildProcessForCommander],
    bundle: true,
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    format: "cjs",
    external: [...recipe.external],
    ...(recipe.minify === "identifiers" ? { minify: true, keepNames: true } : { minifyWhitespace: true, minifySyntax: true }),
    logLevel: "warning",
    legalComments: "none",
    metafile: true,
    write: false,
  };
}

/** Bundles one recipe's entry (and its part, if it has one); writes each bundle and the list of what it was built from, each in one rename. */
async function bundle(recipe: BundleRecipe): Promise<void> {
  if (recipe.part === undefined) {
    const result = await build({ ...esbuildOptions(recipe), entryPoints: [join(CLI_DIR, recipe.entry)], outfile: join(CLI_DIR, cliBundleFiles(recipe.name).bundle) });
    writeBundle(recipe.name, recipe.entry, result);
    return;
  }
  // The bundle: its entry's modules but the part's imports, which stay requires of the compiled files.
  const partImports = new Set(recipe.part.imports);
  const partModules = new Set<string>();
  const leaveToPart: Plugin = {
    name: "leave-to-part",
    setup(on) {
      on.onResolve({ filter: /^\./ }, ({ path, importer, resolveDir }) => {
        if (!partImports.has(path) || !isOurs(importer)) return undefined;
        const file = require.resolve(resolve(resolveDir, path));
        partModules.add(file);
        return { path: requirePath(file), external: true };
      });
    },
  };
  const base = esbuildOptions(recipe);
  const options = { ...base, outfile: join(CLI_DIR, cliBundleFiles(recipe.name).bundle), plugins: [...(base.plugins ?? []), leaveToPart] };
  const first = await build({ ...options, entryPoints: [join(CLI_DIR, recipe.entry)] });
  const held = ourInputs(first.metafile);
  const bundled = await build({ ...options, stdin: sharingEntry(recipe.entry, held) });

  // The part: what those imports reach that the bundle does not hold; the bundle's modules stay
  // requires of the compiled files, which the bundle has put in Node's module cache.
  const part = (CLI_BUNDLE_PARTS as Partial<Record<CliBundleName, CliBundlePartName>>)[recipe.name];
  if (part === undefined) throw new Error(`the ${recipe.name} bundle has a part in its recipe but none in CLI_BUNDLE_PARTS`);
  const heldFiles = new Set(held);
  const shareWithBundle: Plugin = {
    name: "share-with-bundle",
    setup(on) {
      on.onResolve({ filter: /^\./ }, ({ path, importer, resolveDir }) => {
        if (importer !== "<stdin>" && !isOurs(importer)) return undefined;
        const file = require.resolve(resolve(resolveDir, path));
        return heldFiles.has(file) ? { path: requirePath(file), external: true } : undefined;
      });
    },
  };
  const partOptions = { ...base, outfile: join(CLI_DIR, cliBundleFiles(part).bundle), plugins: [...(base.plugins ?? []), shareWithBundle] };
  const reached = await build({ ...partOptions, stdin: sharingEntry(undefined, [...partModules]) });
  const partHeld = ourInputs(reached.metafile).filter((file) => !heldFiles.has(file));
  // The part is written before its bundle: a build that fails between the two leaves a new part
  // beside the bundle of the build before, which is stale unless nothing it holds changed (a module
  // moving between the two changes a file the bundle holds), never a new bundle beside an old part.
  writeBundle(part, recipe.entry, await build({ ...partOptions, stdin: sharingEntry(undefined, partHeld) }));
  writeBundle(recipe.name, recipe.entry, bundled);
}

/** Whether esbuild's input or importer path is one of our compiled files (not a dependency's, not generated). */
function isOurs(file: string): boolean {
  return file !== "" && file !== "<stdin>" && bundledPackagePath(file) === undefined;
}

/** Our compiled files among a build's inputs, as absolute paths. */
function ourInputs(metafile: Metafile | undefined): string[] {
  if (metafile === undefined) throw new Error("esbuild returned no metafile");
  return Object.keys(metafile.inputs)
    .filter(isOurs)
    .map((input) => resolve(input));
}

/** How a bundle in CLI_DIR requires `file`: relative to CLI_DIR, as the launcher's require resolves it. */
function requirePath(file: string): string {
  const path = relative(CLI_DIR, file).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

/**
 * The generated entry of a bundle that shares its modules (cli/cli-bundle.ts, SharedModules): the
 * command's entry, if any, and the bundle's instance of each of `modules`, by its path relative to CLI_DIR.
 */
function sharingEntry(entry: string | undefined, modules: readonly string[]): { contents: string; resolveDir: string; loader: "js" } {
  const table = [...modules]
    .sort()
    .map((file) => `  ${JSON.stringify(relative(CLI_DIR, file).split(sep).join("/"))}: () => require(${JSON.stringify(requirePath(file))}),`);
  const own = entry === undefined ? "" : `...require(${JSON.stringify(`./${entry}`)}), `;
  return { contents: `"use strict";\nmodule.exports = { ${own}bundledModules: {\n${table.join("\n")}\n} };\n`, resolveDir: CLI_DIR, loader: "js" };
}

function writeBundle(name: CliBundleName | CliBundlePartName, entry: string, result: { errors: { text: string }[]; outputFiles?: { contents: Uint8Array }[]; metafile?: Metafile }): void {
  if (result.errors.length > 0) throw new Error(`esbuild could not bundle ${entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  const [output] = result.outputFiles ?? [];
  if (output === undefined || result.metafile === undefined) throw new Error(`esbuild produced no bundle for ${entry}`);
  const files = cliBundleFiles(name);
  writeAtomically(join(CLI_DIR, files.bundle), output.contents);
  writeAtomically(join(CLI_DIR, files.inputs), `${JSON.stringify(bundleInputs(Object.keys(result.metafile.inputs).filter((input) => input !== "<stdin>" && !input.startsWith(`${LAZY_FOR_COMMANDER}:`))))}\n`);
}

/**
 * Our compiled files by modification time; dependencies (whose place differs once the package is
 * installed as one: npm hoists them) by the lockfile's hash and the bundled packages' versions.
 * esbuild names inputs relative to the working directory; the launcher resolves them against CLI_DIR.
 */
function bundleInputs(all: readonly string[]): BundleInputs {
  const files = all.filter((input) => bundledPackagePath(input) === undefined).map((input) => relative(CLI_DIR, resolve(input)));
  const packages: Record<string, string> = {};
  for (const input of all) {
    const packagePath = bundledPackagePath(input);
    if (packagePath === undefined || packagePath in packages) continue;
    const root = resolve(input).split(/[\\/]node_modules[\\/]/)[0] ?? "";
    const manifest = JSON.parse(readFileSync(join(root, "node_modules", packagePath, "package.json"), "utf8")) as { version?: unknown };
    if (typeof manifest.version !== "string") throw new Error(`${packagePath}/package.json has no version`);
    packages[packagePath] = manifest.version;
  }
  const lockfilePath = join(CLI_DIR, "..", "..", "package-lock.json");
  const lockfileStat = statSync(lockfilePath, { throwIfNoEntry: false });
  return {
    files,
    sizes: files.map((file) => statSync(join(CLI_DIR, file)).size),
    ...(lockfileStat === undefined
      ? {}
      : {
          lockfile: {
            path: relative(CLI_DIR, lockfilePath),
            size: lockfileStat.size,
            mtimeMs: lockfileStat.mtimeMs,
            sha256: hashLockfile(readFileSync(lockfilePath)),
          },
        }),
    packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** CLI processes may start while the build runs: they see the old file or the new one, never half of one. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

async function main(): Promise<void> {
  const loaded: { recipe: BundleRecipe; bundle: LoadedCliBundle<object> }[] = [];
  for (const recipe of RECIPES) {
    rmSync(join(CLI_DIR, cliBundleFiles(recipe.name).cache), { force: true });
    const part = (CLI_BUNDLE_PARTS as Partial<Record<CliBundleName, CliBundlePartName>>)[recipe.name];
    if (part !== undefined) rmSync(join(CLI_DIR, cliBundleFiles(part).cache), { force: true });
    await bundle(recipe);
    const made = loadCliBundle<object>(recipe.name, CLI_DIR, { useCodeCache: false });
    if (made === undefined) throw new Error(`esbuild reported success but ${join(CLI_DIR, cliBundleFiles(recipe.name).bundle)} is missing or older than a file it was built from`);
    loaded.push({ recipe, bundle: made });
  }
  // One emulator and one state directory for every training run, in the order a project meets them:
  // hooks deploy, `token` vends, `drift` checks what they recorded. Each cache is saved as soon as
  // its training ends: V8 flushes the bytecode of functions that have not run for a few garbage
  // collections, and the later trainings' collections would leave a cache without them.
  const training = await startTraining();
  try {
    for (const { recipe, bundle: made } of loaded) {
      await recipe.train(made, training);
      writeAtomically(join(CLI_DIR, cliBundleFiles(recipe.name).cache), made.script.createCachedData());
      if (recipe.part === undefined) continue;
      // After the bundle's cache is saved: what the part runs stays out of it.
      await recipe.part.train(made, training);
      const part = made.loadedPart();
      const partName = (CLI_BUNDLE_PARTS as Partial<Record<CliBundleName, CliBundlePartName>>)[recipe.name];
      if (part === undefined || partName === undefined) throw new Error(`the ${recipe.name} bundle's training did not load its part (missing, stale or not in CLI_BUNDLE_PARTS)`);
      writeAtomically(join(CLI_DIR, cliBundleFiles(partName).cache), part.script.createCachedData());
    }
  } finally {
    await training.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`build-cli-bundles: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
