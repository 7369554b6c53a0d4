/**
 * The build's last step (`npm run build`, after tsc): bundles what the CLI's most started commands
 * run (a hook, `token`, `drift`) into dist/cli/<name>-bundle.js, one file each, and saves V8's code
 * cache for each as dist/cli/<name>-bundle.cache. Why, and when the plain CLI runs instead:
 * cli/cli-bundle.ts.
 *
 * The cache holds the functions compiled by the time it is made, so before saving it the build runs
 * each bundle through its command against the embedded emulator, in this process
 * (scripts/cli-bundle-training.ts). A cache made after module loading alone left a hook apply about
 * 15 ms slower.
 *
 *   node dist/scripts/build-cli-bundles.js
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildSync } from "esbuild";
import { bundledPackagePath, hashLockfile, type BundleInputs } from "../cli/bundle-freshness";
import { cliBundleFiles, loadCliBundle, type CliBundleName, type LoadedCliBundle } from "../cli/cli-bundle";
import { startTraining, trainDriftBundle, trainHookBundle, trainTokenBundle, type Training } from "./cli-bundle-training";

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
   *   that loads most of its modules (token), less work than the bytes it saves.
   */
  readonly minify: false | "identifiers" | "syntax";
  readonly train: (bundle: LoadedCliBundle<object>, training: Training) => Promise<void>;
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
    // `token` command (which has its own bundle).
    name: "hook",
    entry: "hook-bundle-entry.js",
    external: ["commander", "./commands", "./commands/token", ...NEVER_BUNDLED],
    minify: false,
    train: (bundle, training) => trainHookBundle(bundle.exports as typeof import("../cli/hook-bundle-entry"), training),
  },
  {
    // The token fast path runs without commander, the registry or the hook command (and with it
    // every kind's lifecycle). axios (a refresh, a client-credentials exchange) and pg (a pg
    // backend) load from node_modules when needed: a cached token on a local backend reads neither,
    // and they would more than double the file it reads first.
    name: "token",
    entry: "token-bundle-entry.js",
    external: ["commander", "./commands", "./commands/hook", "axios", "pg", ...NEVER_BUNDLED],
    minify: "syntax",
    train: (bundle, training) => trainTokenBundle(bundle.exports as typeof import("../cli/token-bundle-entry"), training),
  },
  {
    // commander parses drift's flags, axios makes its calls; the registry, the hook and token
    // commands are not reached, and pg loads from node_modules for a pg backend only.
    name: "drift",
    entry: "drift-bundle-entry.js",
    external: ["./commands", "./commands/hook", "./commands/token", "pg", ...NEVER_BUNDLED],
    minify: "identifiers",
    train: (bundle, training) => trainDriftBundle(bundle.exports as typeof import("../cli/drift-bundle-entry"), training),
  },
];

/** Bundles one recipe's entry; writes the bundle and the list of what it was built from, each in one rename. */
function bundle(recipe: BundleRecipe): void {
  const files = cliBundleFiles(recipe.name);
  const result = buildSync({
    entryPoints: [join(CLI_DIR, recipe.entry)],
    outfile: join(CLI_DIR, files.bundle),
    bundle: true,
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    format: "cjs",
    external: [...recipe.external],
    ...(recipe.minify === "identifiers" ? { minify: true, keepNames: true } : recipe.minify === "syntax" ? { minifyWhitespace: true, minifySyntax: true } : {}),
    logLevel: "warning",
    legalComments: "none",
    metafile: true,
    write: false,
  });
  if (result.errors.length > 0) throw new Error(`esbuild could not bundle ${recipe.entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild produced no bundle for ${recipe.entry}`);
  writeAtomically(join(CLI_DIR, files.bundle), output.contents);
  writeAtomically(join(CLI_DIR, files.inputs), `${JSON.stringify(bundleInputs(Object.keys(result.metafile.inputs)))}\n`);
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
    bundle(recipe);
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
    }
  } finally {
    await training.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`build-cli-bundles: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
