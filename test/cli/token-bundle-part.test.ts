/**
 * The token bundle holds what a cached token runs; the rest of `token` (a refresh, a Custom
 * Connection's client credentials, a pg backend, the lock, an error's advice) is in its part, the
 * token-refresh bundle, loaded the first time the token bundle needs it (cli/cli-bundle.ts). These
 * tests run the built bin in fresh processes, with a preload that reports, when the process ends,
 * where each of our compiled modules in Node's module cache came from: a bundle (an entry a bundle
 * shared) or its file in dist/. Node keeps one cache entry per file, so a module from dist/ that a
 * bundle also holds would be a second instance of it. Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { documentTokenSetStore } from "../../providers/lifecycle/connection/token-set-store";
import { CONNECTION_DOCUMENT, consentedConnection, project, useTokenWorld, type Project } from "../tokens/support";

const DIST_CLI = join(__dirname, "..", "..", "dist", "cli");
const NODE_MODULES = join(__dirname, "..", "..", "node_modules");
/**
 * What the bin loads from dist/ before it picks a bundle: the launcher. main.js is the bin itself;
 * the token bundle's copy runs the command (main.js keeps no state and defines no class).
 */
const LAUNCHER = ["cli/bundle-freshness.js", "cli/cli-bundle.js", "cli/main.js"];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Our compiled modules (relative to dist/) in the module cache at exit: put there by a bundle, or loaded from their files. */
  readonly fromBundles: string[];
  readonly fromFiles: string[];
}

/** The compiled files a bundle in `cli` was built from, relative to dist/. */
function bundleInputs(cli: string, name: string): string[] {
  const { files } = JSON.parse(readFileSync(join(cli, `${name}-bundle.inputs.json`), "utf8")) as { files: string[] };
  return files.map((file) => relativeToDist(cli, resolve(cli, file)));
}

function relativeToDist(cli: string, file: string): string {
  return file.slice(resolve(cli, "..").length + 1).split("\\").join("/");
}

describe("the token bundle and its part", () => {
  const world = useTokenWorld();
  let scratch: string;
  let where: Project;
  let env: Record<string, string>;
  let report: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-token-part-"));
    report = join(scratch, "report-modules.js");
    writeFileSync(
      report,
      `process.on("exit", () => {
        const Module = module.constructor;
        const entries = Object.entries(require.cache).filter(([file]) => !file.includes("node_modules") && file !== __filename);
        const report = { fromBundles: entries.filter(([, m]) => !(m instanceof Module)).map(([file]) => file), fromFiles: entries.filter(([, m]) => m instanceof Module).map(([file]) => file) };
        require("node:fs").writeSync(2, "\\n@@" + JSON.stringify(report));
      });\n`,
    );
    where = await project("local");
    env = (await consentedConnection(world, where)).env;
  });

  afterAll(async () => {
    await where.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** `token` through the bin in `cli`, as a consumer runs it. */
  function token(cli: string): Promise<Run> {
    return new Promise((done, reject) => {
      const args = ["-r", report, join(cli, "main.js"), "token", CONNECTION_DOCUMENT, "--backend", where.backendFlag];
      const child = spawn(process.execPath, args, { cwd: where.dir, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        const at = stderr.lastIndexOf("\n@@");
        if (at === -1) return reject(new Error(`token ended without a report: ${stderr}`));
        const modules = JSON.parse(stderr.slice(at + 3)) as { fromBundles: string[]; fromFiles: string[] };
        const ours = (files: string[]): string[] => files.map((file) => relativeToDist(cli, file)).sort();
        done({ code, stdout, stderr: stderr.slice(0, at), fromBundles: ours(modules.fromBundles), fromFiles: ours(modules.fromFiles) });
      });
    });
  }

  /** Makes the stored access token stale, so that the next `token` refreshes. */
  async function staleAccessToken(): Promise<void> {
    const store = documentTokenSetStore(await where.open(), CONNECTION_DOCUMENT);
    const { serial, record } = await store.read();
    if (record.tokenSet === undefined) throw new Error("no token set stored");
    await store.write(serial, { tokenSet: { ...record.tokenSet, accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
  }

  /** A copy of the built package, file times kept (so its bundles are as fresh as the originals); returns its dist/cli. */
  function copyOfPackage(name: string): string {
    const root = join(scratch, name);
    mkdirSync(root, { recursive: true });
    copyFileSync(join(DIST_CLI, "..", "..", "package.json"), join(root, "package.json"));
    cpSync(join(DIST_CLI, "..", "..", "package-lock.json"), join(root, "package-lock.json"), { preserveTimestamps: true });
    cpSync(join(DIST_CLI, ".."), join(root, "dist"), { recursive: true, preserveTimestamps: true, filter: (source) => !source.endsWith(".map") });
    symlinkSync(NODE_MODULES, join(root, "node_modules"));
    return join(root, "dist", "cli");
  }

  it("are built from separate files: the token bundle from what a cached token runs, its part from what a refresh adds", () => {
    const bundle = bundleInputs(DIST_CLI, "token");
    const part = bundleInputs(DIST_CLI, "token-refresh");
    expect(bundle).toEqual(expect.arrayContaining(["cli/commands/token.js", "providers/tokens/get-access-token.js", "providers/state/secret-envelope.js"]));
    expect(part).toEqual(expect.arrayContaining(["providers/tokens/connection-grant.js", "providers/xero/client.js", "providers/state/local/lock-file.js"]));
    expect(bundle.filter((file) => part.includes(file))).toEqual([]);
  });

  it("print a cached token from the token bundle alone: neither its part nor any compiled file beyond the launcher is loaded", async () => {
    const run = await token(DIST_CLI);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^\S+\n$/);
    expect(run.fromFiles).toEqual(LAUNCHER);
    expect(run.fromBundles).toEqual([]);
  });

  it("refresh with the part loaded into the same module instances: every compiled module the refresh runs comes from one of the two bundles", async () => {
    const before = (await token(DIST_CLI)).stdout;
    await staleAccessToken();
    const run = await token(DIST_CLI);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^\S+\n$/);
    expect(run.stdout).not.toBe(before);
    expect(run.fromFiles).toEqual(LAUNCHER);
    expect(run.fromBundles).toEqual(expect.arrayContaining(["providers/tokens/connection-grant.js", "providers/xero/client.js", "providers/tokens/locked-refresh.js"]));
  });

  it("refresh from dist/ when the part is older than a file it was built from, sharing the token bundle's instances: no compiled file the bundle holds is loaded again", async () => {
    const cli = copyOfPackage("stale-part");
    const builtAt = new Date(Date.now() - 24 * 3_600_000);
    utimesSync(join(cli, "token-refresh-bundle.js"), builtAt, builtAt);
    await staleAccessToken();
    const run = await token(cli);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^\S+\n$/);
    expect(run.fromFiles).toEqual(expect.arrayContaining(["providers/tokens/connection-grant.js", "providers/xero/client.js"]));
    expect(run.fromFiles.filter((file) => bundleInputs(cli, "token").includes(file) && !LAUNCHER.includes(file))).toEqual([]);
    expect(run.fromBundles).toEqual(expect.arrayContaining(["providers/tokens/locked-refresh.js", "providers/errors.js"]));
  });

  it("refresh from dist/ with a warning that says how to fix it when the part fails to load", async () => {
    const cli = copyOfPackage("broken-part");
    writeFileSync(join(cli, "token-refresh-bundle.js"), "throw new Error('truncated part');\n");
    writeFileSync(join(cli, "token-refresh-bundle.inputs.json"), JSON.stringify({ files: [], packages: {} }));
    await staleAccessToken();
    const run = await token(cli);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\S+\n$/);
    expect(run.stderr).toBe(
      `cdktf-xero: warning: ${join(cli, "token-refresh-bundle.js")} failed to load (truncated part); loading what it holds from dist/ instead. ` +
        "Run `npm run build` in the cdktf-xero package to rebuild it.\n",
    );
    expect(run.fromFiles.filter((file) => bundleInputs(cli, "token").includes(file) && !LAUNCHER.includes(file))).toEqual([]);
  });
});
