/**
 * `token` and `drift` run from bundles with V8's code cache (cli/cli-bundle.ts), started by the bin
 * (dist/cli/main.js) before it loads anything else. Whatever runs a command line, the person sees
 * the same thing: these tests run the built package's main.js in fresh processes and compare it with
 * a copy of the package without bundles (the plain CLI), and check that a stale, missing or broken
 * bundle leaves the plain CLI in charge. Needs `npm run build` (npm test builds first).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const DIST_CLI = join(__dirname, "..", "..", "dist", "cli");
const NODE_MODULES = join(__dirname, "..", "..", "node_modules");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], cwd: string): Run {
  const result = spawnSync(process.execPath, [...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How a fresh `node` process loads bundle `name` in `dir`: the code cache's fate, and what it exports. */
function loadIn(name: string, dir: string): { codeCache: string; exports: string[] } | null {
  const script = `const b = require(${JSON.stringify(join(DIST_CLI, "cli-bundle.js"))}).loadCliBundle(${JSON.stringify(name)}, ${JSON.stringify(dir)});
    console.log(JSON.stringify(b === undefined ? null : { codeCache: b.codeCache, exports: Object.keys(b.exports).sort() }));`;
  const run = node(["-e", script], dir);
  if (run.code !== 0) throw new Error(`loading the ${name} bundle in ${dir} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { codeCache: string; exports: string[] } | null;
}

/** A copy of the built package (package.json, dist/ and a link to node_modules) in `root`; returns its dist/cli. */
function copyOfPackage(root: string, options: { bundles: boolean }): string {
  mkdirSync(root, { recursive: true });
  copyFileSync(join(DIST_CLI, "..", "..", "package.json"), join(root, "package.json"));
  copyFileSync(join(DIST_CLI, "..", "..", "package-lock.json"), join(root, "package-lock.json"));
  cpSync(join(DIST_CLI, ".."), join(root, "dist"), {
    recursive: true,
    filter: (source) => !source.endsWith(".map") && (options.bundles || !/[\\/](hook|token|drift)-bundle\.(js|cache|inputs\.json)$/.test(source)),
  });
  symlinkSync(NODE_MODULES, join(root, "node_modules"));
  return join(root, "dist", "cli");
}

describe("the token and drift bundles", () => {
  let scratch: string;
  /** The package as built, with its bundles. */
  let bundled: string;
  /** The same package without any bundle: the plain CLI. */
  let plain: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-cli-bundles-"));
    plain = copyOfPackage(join(scratch, "plain"), { bundles: false });
    bundled = DIST_CLI;
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("are built, each with a code cache this Node.js accepts", () => {
    expect(loadIn("token", DIST_CLI)).toEqual({ codeCache: "accepted", exports: ["bundledModules", "runCliAsProcess", "runTokenSilently", "servesCommandLine"] });
    expect(loadIn("drift", DIST_CLI)).toEqual({ codeCache: "accepted", exports: ["runCliAsProcess", "runDriftSilently", "servesCommandLine"] });
  });

  it("judge their freshness by the package's own compiled files, each by the files its command runs", () => {
    const inputs = (name: string): string[] => (JSON.parse(readFileSync(join(DIST_CLI, `${name}-bundle.inputs.json`), "utf8")) as { files: string[] }).files;
    expect(inputs("token")).toEqual(expect.arrayContaining(["main.js", "commands/token.js", "../providers/tokens/get-access-token.js"]));
    expect(inputs("token")).not.toContain("commands/hook.js");
    expect(inputs("drift")).toEqual(expect.arrayContaining(["main.js", "commands/drift.js", "../providers/drift/index.js"]));
    for (const name of ["token", "drift"]) {
      expect(inputs(name).filter((input) => input.includes("node_modules") || !resolve(DIST_CLI, input).startsWith(resolve(DIST_CLI, "..")))).toEqual([]);
    }
  });

  it("record the dependencies they carry (drift: commander), and the token bundle carries none: pg loads from node_modules when a pg backend needs it, axios only behind a proxy", () => {
    const packages = (name: string): Record<string, string> => (JSON.parse(readFileSync(join(DIST_CLI, `${name}-bundle.inputs.json`), "utf8")) as { packages: Record<string, string> }).packages;
    expect(packages("token")).toEqual({});
    expect(Object.keys(packages("drift"))).toEqual(["commander"]);
  });

  it("answer a token command line exactly as the plain CLI does: same output, same exit code", () => {
    const argv = ["token", "crm/Missing", "--backend", `local:${join(scratch, "no-state")}`, "--format", "json"];
    const viaBundle = node([join(bundled, "main.js"), ...argv], scratch);
    expect(viaBundle.code).toBe(1);
    expect(viaBundle.stderr).toMatch(/^cdktf-xero: /);
    expect(viaBundle).toEqual(node([join(plain, "main.js"), ...argv], scratch));
  });

  it("leave token's help and mistakes to commander, as the plain CLI", () => {
    for (const argv of [["token", "--help"], ["token", "crm/App", "--format"], ["token", "crm/App", "--colour", "red"]]) {
      const viaBundle = node([join(bundled, "main.js"), ...argv], scratch);
      expect(viaBundle).toEqual(node([join(plain, "main.js"), ...argv], scratch));
    }
  });

  it("answer drift's help, usage errors and a check exactly as the plain CLI does", () => {
    const empty = join(scratch, "empty-state");
    mkdirSync(empty, { recursive: true });
    const lines = [["drift", "--help"], ["drift", "--concurrency", "0"], ["drift", "--no-such-flag"], ["drift", "--backend", `local:${empty}`, "--json", "--as-of", "2027-01-31T00:00:00Z"]];
    // The report's checkedAt is --as-of plus the time the check took: the one field that differs by run.
    const sameRun = (run: Run): Run => ({ ...run, stdout: run.stdout.replace(/"checkedAt":"[^"]*"/, '"checkedAt":"…"') });
    for (const argv of lines) {
      const viaBundle = node([join(bundled, "main.js"), ...argv], scratch);
      expect(sameRun(viaBundle)).toEqual(sameRun(node([join(plain, "main.js"), ...argv], scratch)));
    }
    expect(node([join(bundled, "main.js"), "drift", "--help"], scratch).stdout).toContain("Usage: cdktf-xero drift");
  });

  it("run drift without loading node:child_process (commander's, for subcommands we do not have) or node:perf_hooks (a lock's clock; drift takes no lock)", () => {
    const empty = join(scratch, "empty-state-modules");
    mkdirSync(empty, { recursive: true });
    const preload = join(scratch, "report-builtins.js");
    // Also whether commander came from node_modules: it does only when the plain CLI ran, not the bundle.
    writeFileSync(
      preload,
      'process.on("exit", () => process.stderr.write("\\n@@" + JSON.stringify({ modules: process.moduleLoadList, plainCli: Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]commander[\\\\/]/.test(file)) })));\n',
    );
    const run = node(["-r", preload, join(bundled, "main.js"), "drift", "--backend", `local:${empty}`, "--json"], scratch);
    const { modules, plainCli } = JSON.parse(run.stderr.slice(run.stderr.lastIndexOf("@@") + 2)) as { modules: string[]; plainCli: boolean };
    expect([run.code, plainCli, modules.includes("NativeModule http"), modules.filter((entry) => /^NativeModule (child_process|perf_hooks)$/.test(entry))]).toEqual([0, false, true, []]);
  });

  describe("in a copy of the package whose token bundle throws when evaluated", () => {
    let dir: string;
    const argv = (): string[] => ["token", "crm/Missing", "--backend", `local:${join(scratch, "no-state")}`];

    beforeAll(() => {
      dir = copyOfPackage(join(scratch, "broken"), { bundles: true });
      writeFileSync(join(dir, "token-bundle.js"), "throw new Error('truncated bundle');\n");
    });

    it("runs the plain CLI, with a warning that says how to fix it, when the bundle is fresh but fails to load", () => {
      writeFileSync(join(dir, "token-bundle.inputs.json"), JSON.stringify({ files: [], packages: {} }));
      const run = node([join(dir, "main.js"), ...argv()], scratch);
      const expected = node([join(plain, "main.js"), ...argv()], scratch);
      expect(run.stderr).toBe(
        `cdktf-xero: warning: ${join(dir, "token-bundle.js")} failed to load (truncated bundle); running the plain CLI. Run \`npm run build\` in the cdktf-xero package to rebuild it.\n` +
          expected.stderr,
      );
      expect([run.code, run.stdout]).toEqual([expected.code, expected.stdout]);
    });

    it("in a checkout, never loads a bundle older than a file it was built from: the plain CLI answers, without a warning", () => {
      const { lockfile } = JSON.parse(readFileSync(join(DIST_CLI, "token-bundle.inputs.json"), "utf8")) as { lockfile: object };
      writeFileSync(join(dir, "token-bundle.inputs.json"), JSON.stringify({ files: ["commands/token.js"], packages: {}, lockfile }));
      const bundledAt = new Date(Date.now() - 60_000);
      utimesSync(join(dir, "token-bundle.js"), bundledAt, bundledAt);
      expect(node([join(dir, "main.js"), ...argv()], scratch)).toEqual(node([join(plain, "main.js"), ...argv()], scratch));
    });

    it("runs the plain CLI when the bundle is missing", () => {
      for (const file of readdirSync(dir).filter((name) => name.startsWith("token-bundle."))) rmSync(join(dir, file));
      expect(loadIn("token", dir)).toBeNull();
      expect(node([join(dir, "main.js"), ...argv()], scratch)).toEqual(node([join(plain, "main.js"), ...argv()], scratch));
    });
  });
});
