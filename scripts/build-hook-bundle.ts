/**
 * The build's last step (`npm run build`, after tsc): bundles the compiled CLI into
 * dist/cli/hook-bundle.js and saves V8's code cache for it as dist/cli/hook-bundle.cache. Why:
 * cli/hook-launcher.ts.
 *
 * The cache holds the functions compiled by the time it is made, so before saving it the build runs
 * the bundle through the hooks a deploy runs most (init and apply of a Custom Connection's
 * registration and link) against the embedded emulator, in this process. A cache made after module
 * loading alone left a hook apply about 15 ms slower.
 *
 *   node dist/scripts/build-hook-bundle.js
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { buildSync } from "esbuild";
import { bundledPackagePath, hashLockfile, type HookBundleInputs } from "../cli/hook-bundle-freshness";
import { HOOK_BUNDLE_CACHE_FILE, HOOK_BUNDLE_FILE, HOOK_BUNDLE_INPUTS_FILE, loadHookBundle, type LoadedHookBundle } from "../cli/hook-launcher";
import { startEmulator } from "../emulator";
import { hashHookSpec, HookEnv, type HookSpec } from "../contract/hook-spec";

const CLI_DIR = join(__dirname, "..", "cli");

/**
 * Left out of the bundle and loaded from node_modules when needed, which no hook does: commander and
 * the command registry (a person at a terminal), the `token` command (cli/main.ts's token fast path,
 * which the launcher never sends to the bundle), jose (ID tokens), pg's optional native driver.
 */
const NOT_ON_A_HOOK_PATH = ["commander", "./commands", "./commands/token", "jose", "pg-native"];

/** Bundles the CLI; writes the bundle and the list of files it was built from, each in one rename. */
function bundleCli(): void {
  const result = buildSync({
    entryPoints: [join(CLI_DIR, "hook-bundle-entry.js")],
    outfile: join(CLI_DIR, HOOK_BUNDLE_FILE),
    bundle: true,
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    format: "cjs",
    external: NOT_ON_A_HOOK_PATH,
    logLevel: "warning",
    legalComments: "none",
    metafile: true,
    write: false,
  });
  if (result.errors.length > 0) throw new Error(`esbuild could not bundle the CLI: ${result.errors.map((e) => e.text).join("; ")}`);
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error("esbuild produced no bundle");
  // Our compiled files by modification time; dependencies (whose place differs once the package is
  // installed as one: npm hoists them) by the lockfile's hash and the bundled packages' versions.
  // esbuild names inputs relative to the working directory; the launcher resolves them against CLI_DIR.
  const all = Object.keys(result.metafile.inputs);
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
  const inputs: HookBundleInputs = {
    files,
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
  writeAtomically(join(CLI_DIR, HOOK_BUNDLE_FILE), output.contents);
  writeAtomically(join(CLI_DIR, HOOK_BUNDLE_INPUTS_FILE), `${JSON.stringify(inputs)}\n`);
}

/** Hooks may run while the build does: they see the old file or the new one, never half of one. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

/** Init and apply of a linked Custom Connection's registration and link, run by the bundle's own code. */
async function trainingRun(bundle: LoadedHookBundle): Promise<void> {
  // axios honours HTTP(S)_PROXY and npm's proxy settings (npm_config_proxy, set under `npm run`);
  // the emulator is on loopback, which no proxy should see.
  for (const name of ["no_proxy", "NO_PROXY"]) process.env[name] = [process.env[name], "127.0.0.1", "localhost"].filter(Boolean).join(",");
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-hook-training-"));
  const emulator = await startEmulator();
  try {
    const scopes = ["accounting.invoices.read"];
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Training", scopes });
    const { tenantId } = await emulator.admin.createOrg({ name: "Training Org" });
    await emulator.admin.link(app.clientId, tenantId);
    const backend = { type: "local", dir: join(scratch, "state") } as const;
    const clientSecret = { source: "env", name: "TRAINING_CLIENT_SECRET" } as const;
    const appName = "Training";
    const registration: HookSpec = {
      version: 1,
      kind: "app_registration",
      document: "training/App",
      backend,
      appKind: "custom_connection",
      appName,
      clientId: app.clientId,
      clientSecret,
      redirectUris: [],
      scopes,
      createdAfterGranularScopes: false,
    };
    const link: HookSpec = {
      version: 1,
      kind: "custom_connection_link",
      document: "training/Link",
      backend,
      app: { document: registration.document, backend, appName, clientId: app.clientId, clientSecret, scopes },
      expectedTenantId: tenantId,
      waitForLinkSeconds: 0,
      unlinkOnDestroy: false,
    };
    const env = {
      PATH: process.env.PATH,
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 1).toString("base64"),
      TRAINING_CLIENT_SECRET: app.clientSecret,
    };
    for (const spec of [registration, link]) {
      const run = { ...env, [HookEnv.spec]: JSON.stringify(spec), [HookEnv.specSha256]: hashHookSpec(spec), [HookEnv.generation]: "0" };
      await bundle.exports.runHookSilently("init", run, scratch);
      await bundle.exports.runHookSilently("apply", run, scratch);
    }
  } finally {
    await emulator.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cache = join(CLI_DIR, HOOK_BUNDLE_CACHE_FILE);
  rmSync(cache, { force: true });
  bundleCli();
  const bundle = loadHookBundle(CLI_DIR, { useCodeCache: false });
  if (bundle === undefined) throw new Error(`esbuild reported success but ${join(CLI_DIR, HOOK_BUNDLE_FILE)} is missing or older than a file it was built from`);
  bundle.exports.loadHookModules();
  await trainingRun(bundle);
  writeAtomically(cache, bundle.script.createCachedData());
}

main().catch((error: unknown) => {
  process.stderr.write(`build-hook-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
