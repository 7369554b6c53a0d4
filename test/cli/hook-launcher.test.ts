/**
 * Terraform's provisioners run dist/cli/hook-launcher.js: the CLI from the one-file bundle the build
 * makes, compiled with the V8 code cache saved beside it. These tests run what `npm run build` left
 * in dist/ (npm test builds first), in fresh Node processes as Terraform would.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const DIST_CLI = join(__dirname, "..", "..", "dist", "cli");
const LAUNCHER = join(DIST_CLI, "hook-launcher.js");
const MAIN = join(DIST_CLI, "main.js");
/** What cli/hook-bundle-entry.ts exports. */
const BUNDLE_EXPORTS = ["loadHookModules", "runCliAsProcess", "runHookSilently", "servesCommandLine"];

function node(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  // The environment the build ran in (NODE_OPTIONS included), as Terraform passes it on to hooks.
  const result = spawnSync(process.execPath, [...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How a fresh `node` process loads the bundle in `dir`: the code cache's fate, and what it exports. */
function loadIn(dir: string): { codeCache: string; exports: string[] } | null {
  const script = `const b = require(${JSON.stringify(LAUNCHER)}).loadHookBundle(${JSON.stringify(dir)});
    console.log(JSON.stringify(b === undefined ? null : { codeCache: b.codeCache, exports: Object.keys(b.exports).sort() }));`;
  const run = node(["-e", script]);
  if (run.code !== 0) throw new Error(`loading the bundle in ${dir} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { codeCache: string; exports: string[] } | null;
}

describe("the hook launcher", () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-launcher-"));
  });

  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("finds the bundle the build made, and this Node.js accepts the build's code cache", () => {
    expect(loadIn(DIST_CLI)).toEqual({ codeCache: "accepted", exports: BUNDLE_EXPORTS });
  });

  /** A copy of the built bundle in the scratch dir, built from `inputs` (files in the scratch dir) and `dependencies`. */
  function bundleInScratch(inputs: readonly string[] = [], dependencies: { lockfile?: object; packages?: Record<string, string> } = {}): void {
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    writeFileSync(join(scratch, "hook-bundle.inputs.json"), JSON.stringify({ files: inputs, packages: {}, ...dependencies }));
  }

  it("judges freshness by the package's own compiled files, none from node_modules, whose layout changes on install", () => {
    const inputs = (JSON.parse(readFileSync(join(DIST_CLI, "hook-bundle.inputs.json"), "utf8")) as { files: string[] }).files;
    expect(inputs).toContain("main.js");
    expect(inputs).toContain("../providers/lifecycle/runtime/run-hook.js");
    expect(inputs.filter((input) => input.includes("node_modules") || !resolve(DIST_CLI, input).startsWith(resolve(DIST_CLI, "..")))).toEqual([]);
  });

  it("compiles the bundle without a code cache that V8 rejects, as one from another Node.js version", () => {
    bundleInScratch();
    writeFileSync(join(scratch, "hook-bundle.cache"), Buffer.alloc(4096, 0xab));
    expect(loadIn(scratch)).toEqual({ codeCache: "rejected", exports: BUNDLE_EXPORTS });
  });

  it("compiles the bundle as usual when the code cache is missing", () => {
    bundleInScratch();
    expect(loadIn(scratch)?.codeCache).toBe("absent");
  });

  it("reports no bundle where the build made none, so the launcher runs the plain CLI", () => {
    expect(loadIn(scratch)).toBeNull();
  });

  /** The lockfile of a checkout in the scratch dir, as the build records it. */
  function checkoutLockfile(): { lockfile: object } {
    writeFileSync(join(scratch, "package-lock.json"), '{"lockfileVersion":3}');
    const built = readFileSync(join(scratch, "package-lock.json"));
    const { mtimeMs } = statSync(join(scratch, "package-lock.json"));
    return { lockfile: { path: "package-lock.json", size: built.length, mtimeMs, sha256: createHash("sha256").update(built).digest("hex") } };
  }

  it("in a checkout, passes over a bundle older than a file it was built from (compiled again without bundling), so no hook runs stale code", () => {
    writeFileSync(join(scratch, "link.js"), "// compiled before the bundle\n");
    writeFileSync(join(scratch, "main.js"), "// compiled again after it\n");
    bundleInScratch(["link.js", "main.js"], checkoutLockfile());
    const bundled = new Date(Date.now() - 60_000);
    utimesSync(join(scratch, "hook-bundle.js"), bundled, bundled);
    utimesSync(join(scratch, "link.js"), new Date(bundled.getTime() - 60_000), new Date(bundled.getTime() - 60_000));
    expect(loadIn(scratch)).toBeNull();
  });

  it("passes over a bundle when a file it was built from is gone, or the list of them is", () => {
    bundleInScratch(["removed.js"]);
    expect(loadIn(scratch)).toBeNull();
    rmSync(join(scratch, "hook-bundle.inputs.json"));
    expect(loadIn(scratch)).toBeNull();
  });

  it("records the lockfile's hash and every bundled package's version: pg and its own, not axios (loaded from node_modules behind a proxy only)", () => {
    const inputs = JSON.parse(readFileSync(join(DIST_CLI, "hook-bundle.inputs.json"), "utf8")) as {
      lockfile: { path: string; sha256: string };
      packages: Record<string, string>;
    };
    const lockfile = readFileSync(join(DIST_CLI, "..", "..", "package-lock.json"));
    expect(inputs.lockfile.path).toBe("../../package-lock.json");
    expect(inputs.lockfile.sha256).toBe(createHash("sha256").update(lockfile).digest("hex"));
    const installed = (name: string): string => (JSON.parse(readFileSync(join(DIST_CLI, "..", "..", "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    expect(inputs.packages["pg"]).toBe(installed("pg"));
    expect(inputs.packages["pg-pool"]).toBe(installed("pg-pool"));
    expect(Object.keys(inputs.packages)).not.toContain("axios");
  });

  it("passes over a bundle whose lockfile changed since the build (npm update), so hooks never run the older pg", () => {
    writeFileSync(join(scratch, "package-lock.json"), '{"lockfileVersion":3,"packages":{"node_modules/axios":{"version":"1.0.0"}}}');
    const built = readFileSync(join(scratch, "package-lock.json"));
    bundleInScratch([], { lockfile: { path: "package-lock.json", size: built.length, mtimeMs: 0, sha256: createHash("sha256").update(built).digest("hex") } });
    expect(loadIn(scratch)?.exports).toEqual(BUNDLE_EXPORTS);
    writeFileSync(join(scratch, "package-lock.json"), '{"lockfileVersion":3,"packages":{"node_modules/axios":{"version":"1.9.9"}}}');
    expect(loadIn(scratch)).toBeNull();
  });

  it("without a lockfile (installed as a dependency), passes over a bundle when a bundled package's installed version differs", () => {
    mkdirSync(join(scratch, "node_modules", "axios"), { recursive: true });
    writeFileSync(join(scratch, "node_modules", "axios", "package.json"), JSON.stringify({ name: "axios", version: "1.2.3" }));
    bundleInScratch([], { packages: { axios: "1.2.3" } });
    expect(loadIn(scratch)?.exports).toEqual(BUNDLE_EXPORTS);
    writeFileSync(join(scratch, "node_modules", "axios", "package.json"), JSON.stringify({ name: "axios", version: "1.2.4" }));
    expect(loadIn(scratch)).toBeNull();
  });

  it("passes over a bundle whose inputs file is an older build's plain list, which recorded no dependencies", () => {
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    writeFileSync(join(scratch, "hook-bundle.inputs.json"), JSON.stringify([]));
    expect(loadIn(scratch)).toBeNull();
  });

  it("in a checkout, uses a bundle made after every file it was built from", () => {
    writeFileSync(join(scratch, "main.js"), "// compiled before the bundle\n");
    const compiled = new Date(Date.now() - 60_000);
    utimesSync(join(scratch, "main.js"), compiled, compiled);
    bundleInScratch(["main.js"], checkoutLockfile());
    expect(loadIn(scratch)?.exports).toEqual(BUNDLE_EXPORTS);
  });

  it("runs the plain CLI, with a warning that says how to fix it, when the bundle fails to load", () => {
    // A copy of the package whose bundle throws when evaluated.
    cpSync(join(DIST_CLI, ".."), join(scratch, "dist"), { recursive: true, filter: (source) => !source.endsWith(".map") });
    symlinkSync(join(__dirname, "..", "..", "node_modules"), join(scratch, "node_modules"));
    const dir = join(scratch, "dist", "cli");
    writeFileSync(join(dir, "hook-bundle.js"), "throw new Error('truncated bundle');\n");
    writeFileSync(join(dir, "hook-bundle.inputs.json"), JSON.stringify({ files: [], packages: {} }));
    const run = node([join(dir, "hook-launcher.js"), "hook", "apply"]);
    expect(run.stderr).toContain(`cdktf-xero: warning: ${join(dir, "hook-bundle.js")} failed to load (truncated bundle); running the plain CLI.`);
    expect(run.stderr).toContain("cdktf-xero: CONFIG_INVALID: CDKTF_XERO_SPEC is not set");
    expect(run.code).toBe(64);
  });

  it("answers a hook run by hand exactly as the plain CLI does: same message, same exit code", () => {
    const viaLauncher = node([LAUNCHER, "hook", "apply"]);
    const viaMain = node([MAIN, "hook", "apply"]);
    expect(viaLauncher.code).toBe(64);
    expect(viaLauncher.stderr).toMatch(/^cdktf-xero: CONFIG_INVALID: CDKTF_XERO_SPEC is not set/);
    expect(viaLauncher).toEqual(viaMain);
  });

  it("runs a hook command line with flags the fast path does not take exactly as the plain CLI does", () => {
    const viaLauncher = node([LAUNCHER, "hook", "apply", "--json", "--json"]);
    expect(viaLauncher.code).toBe(64);
    expect(viaLauncher).toEqual(node([MAIN, "hook", "apply", "--json", "--json"]));
  });

  it("hands command lines that are not hooks to commander, like the plain CLI", () => {
    const viaLauncher = node([LAUNCHER, "state", "--help"]);
    expect(viaLauncher.code).toBe(0);
    expect(viaLauncher.stdout).toContain("Usage: cdktf-xero state");
    expect(viaLauncher).toEqual(node([MAIN, "state", "--help"]));
  });
});
