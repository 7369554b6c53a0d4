/**
 * A build step (`npm run build`, after tsc): the CDK Terrain entry point, `cdktf-xero/cdktn`.
 *
 * A construct must be made with the framework its App is made with (a cdktf TerraformStack is not a
 * stack to a cdktn App), so the cdktn entry is the same constructs with the framework swapped: tsc's
 * output of index.ts bundled by esbuild into dist/cdktn/index.js with every `cdktf` import resolved
 * to `cdktn`, and `@cdktf/provider-null` (no cdktn build) to scripts/cdktn-null-provider.ts, which
 * fails the `null_resource` mode at synth. The declarations are tsc's, with the same swap. The swap is
 * this file's {@link swapFrameworkSpecifiers} and {@link cdktnPlugin}, both driven by one table; the
 * CLI, providers and emulator are framework-free and shared. The synth benchmark's worker is built
 * the same way into dist/bench/cdktn/.
 *
 *   node dist/scripts/build-cdktn-entry.js
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build, type Plugin } from "esbuild";

const DIST = join(__dirname, "..");

/** Module specifiers the cdktn build replaces: by another package, or (`undefined`) by the null-provider stand-in. */
const FRAMEWORK_SWAP: ReadonlyArray<{ readonly from: RegExp; readonly to: string | undefined }> = [
  { from: /^cdktf$/, to: "cdktn" },
  { from: /^@cdktf\/provider-null(\/.*)?$/, to: undefined },
];

const NULL_PROVIDER_STAND_IN = join(DIST, "scripts", "cdktn-null-provider.js");

/** What `specifier` becomes under cdktn: a package name, the stand-in's path, or itself. */
export function cdktnSpecifier(specifier: string, standIn: string = NULL_PROVIDER_STAND_IN): string {
  const swap = FRAMEWORK_SWAP.find((entry) => entry.from.test(specifier));
  if (swap === undefined) return specifier;
  return swap.to ?? standIn;
}

/**
 * `source` (TypeScript, JavaScript or declarations) with every quoted module specifier in an
 * import, export, `require(…)` or `import(…)` swapped for cdktn; `standIn` is what a null-provider
 * import becomes.
 */
export function swapFrameworkSpecifiers(source: string, standIn?: string): string {
  return source.replace(/(\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^import\s+)(["'])([^"'\n]+)\2/gm, (whole, lead: string, quote: string, specifier: string) => {
    const swapped = cdktnSpecifier(specifier, standIn);
    return swapped === specifier ? whole : `${lead}${quote}${swapped}${quote}`;
  });
}

/** Resolves the framework's packages as cdktn's, and marks every other package external. */
const cdktnPlugin: Plugin = {
  name: "cdktf-xero-cdktn",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const swapped = cdktnSpecifier(args.path);
      if (swapped === NULL_PROVIDER_STAND_IN) return { path: swapped };
      return { path: swapped, external: true };
    });
  },
};

/** Bundles one compiled entry (our own modules inlined, packages external) with the framework swapped. */
async function bundleForCdktn(entry: string, outfile: string): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    plugins: [cdktnPlugin],
    logLevel: "warning",
    legalComments: "none",
    metafile: true,
  });
  if (result.errors.length > 0) throw new Error(`esbuild could not bundle ${entry}: ${result.errors.map((e) => e.text).join("; ")}`);
  const imported = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entryImport) => entryImport.path));
  const leaked = imported.filter((path) => /^(cdktf|@cdktf\/)/.test(path));
  if (leaked.length > 0) throw new Error(`${outfile} still imports ${leaked.join(", ")}`);
}

/** tsc's declarations for the public API (index, constructs, contract), with the framework swapped. */
function writeDeclarations(to: string): void {
  const copy = (from: string, target: string): void => {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, swapFrameworkSpecifiers(readFileSync(from, "utf8")));
  };
  copy(join(DIST, "index.d.ts"), join(to, "index.d.ts"));
  for (const folder of ["constructs", "contract"]) {
    for (const name of readdirSync(join(DIST, folder)).filter((file) => file.endsWith(".d.ts"))) {
      copy(join(DIST, folder, name), join(to, folder, name));
    }
  }
}

async function main(): Promise<void> {
  const entryDir = join(DIST, "cdktn");
  rmSync(entryDir, { recursive: true, force: true });
  await bundleForCdktn(join(DIST, "index.js"), join(entryDir, "index.js"));
  writeDeclarations(entryDir);
  await bundleForCdktn(join(DIST, "bench", "synth-worker.js"), join(DIST, "bench", "cdktn", "synth-worker.js"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`build-cdktn-entry: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
