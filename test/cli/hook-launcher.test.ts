/**
 * Terraform's provisioners run dist/cli/hook-launcher.js: the CLI from the one-file bundle the build
 * makes, compiled with the V8 code cache saved beside it. These tests run what `npm run build` left
 * in dist/ (npm test builds first), in fresh Node processes as Terraform would.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DIST_CLI = join(__dirname, "..", "..", "dist", "cli");
const LAUNCHER = join(DIST_CLI, "hook-launcher.js");
const MAIN = join(DIST_CLI, "main.js");
/** What cli/hook-bundle-entry.ts exports. */
const BUNDLE_EXPORTS = ["loadHookModules", "runCliAsProcess", "runHookSilently"];

function node(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...args], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
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

  it("compiles the bundle without a code cache that V8 rejects, as one from another Node.js version", () => {
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    writeFileSync(join(scratch, "hook-bundle.cache"), Buffer.alloc(4096, 0xab));
    expect(loadIn(scratch)).toEqual({ codeCache: "rejected", exports: BUNDLE_EXPORTS });
  });

  it("compiles the bundle as usual when the code cache is missing", () => {
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    expect(loadIn(scratch)?.codeCache).toBe("absent");
  });

  it("reports no bundle where the build made none, so the launcher runs the plain CLI", () => {
    expect(loadIn(scratch)).toBeNull();
  });

  it("passes over a bundle older than the compiled CLI beside it (tsc ran again without bundling), so no hook runs stale code", () => {
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    writeFileSync(join(scratch, "main.js"), "// compiled after the bundle\n");
    const bundled = new Date(Date.now() - 60_000);
    utimesSync(join(scratch, "hook-bundle.js"), bundled, bundled);
    expect(loadIn(scratch)).toBeNull();
  });

  it("uses a bundle made after the compiled CLI beside it", () => {
    writeFileSync(join(scratch, "main.js"), "// compiled before the bundle\n");
    const compiled = new Date(Date.now() - 60_000);
    utimesSync(join(scratch, "main.js"), compiled, compiled);
    copyFileSync(join(DIST_CLI, "hook-bundle.js"), join(scratch, "hook-bundle.js"));
    expect(loadIn(scratch)?.exports).toEqual(BUNDLE_EXPORTS);
  });

  it("answers a hook run by hand exactly as the plain CLI does: same message, same exit code", () => {
    const viaLauncher = node([LAUNCHER, "hook", "apply"]);
    const viaMain = node([MAIN, "hook", "apply"]);
    expect(viaLauncher.code).toBe(64);
    expect(viaLauncher.stderr).toMatch(/^cdktf-xero: CONFIG_INVALID: CDKTF_XERO_SPEC is not set/);
    expect(viaLauncher).toEqual(viaMain);
  });

  it("hands command lines that are not hooks to commander, like the plain CLI", () => {
    const viaLauncher = node([LAUNCHER, "state", "--help"]);
    expect(viaLauncher.code).toBe(0);
    expect(viaLauncher.stdout).toContain("Usage: cdktf-xero state");
    expect(viaLauncher).toEqual(node([MAIN, "state", "--help"]));
  });
});
