/**
 * `cdktf-xero token` runs once per consumer call, so plain token command lines skip commander (cli/main.ts's
 * token fast path). Whatever path a command line takes, the person sees the same thing: each line
 * here runs in a fresh process through the fast path and through commander, and stdout, stderr and
 * the exit code must match. Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import { CONNECTION_DOCUMENT, consentedConnection, ORGANISATIONS, project, useTokenWorld, type Project } from "../tokens/support";
import { CLI } from "./run-cli";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether commander was in require.cache when the process ended. */
  readonly loadedCommander: boolean;
}

/** Runs the compiled CLI's runCli in a fresh process, with or without its fast paths. */
function runCli(argv: readonly string[], options: { fastPaths: boolean; cwd: string; env: Record<string, string> }): Promise<Run> {
  const script = `
    const { runCli } = require(${JSON.stringify(CLI)});
    runCli(process.argv.slice(1), { fastPaths: ${String(options.fastPaths)} }).then((code) => {
      const loadedCommander = Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]commander[\\\\/]/.test(file));
      process.stderr.write("\\n@@" + JSON.stringify({ code, loadedCommander }));
    });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, ...argv], { cwd: options.cwd, env: { PATH: process.env.PATH ?? "", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const at = stderr.lastIndexOf("\n@@");
      if (at === -1) return reject(new Error(`the CLI process ended without a result: ${stderr}`));
      const result = JSON.parse(stderr.slice(at + 3)) as { code: number; loadedCommander: boolean };
      resolve({ code: result.code, stdout, stderr: stderr.slice(0, at), loadedCommander: result.loadedCommander });
    });
  });
}

const world = useTokenWorld();

describe("cdktf-xero token's fast path", () => {
  let where: Project;
  let env: Record<string, string>;
  beforeAll(async () => {
    where = await project("local");
    env = (await consentedConnection(world, where)).env;
  });
  afterAll(async () => {
    await where.cleanup();
  });

  const backend = (): string[] => ["--backend", where.backendFlag];
  const both = async (argv: readonly string[], runEnv: Record<string, string> = env): Promise<{ fast: Run; commander: Run }> => ({
    fast: await runCli(argv, { fastPaths: true, cwd: where.dir, env: runEnv }),
    commander: await runCli(argv, { fastPaths: false, cwd: where.dir, env: runEnv }),
  });
  const withoutLoadFlag = ({ code, stdout, stderr }: Run) => ({ code, stdout, stderr });

  it("prints a cached token without loading commander", async () => {
    const run = await runCli(["token", CONNECTION_DOCUMENT, ...backend()], { fastPaths: true, cwd: where.dir, env });
    expect(run).toMatchObject({ code: 0, stderr: "", loadedCommander: false });
    expect(run.stdout).toMatch(/^\S+\n$/);
  });

  it.each([
    ["the document alone, with the backend flag", ["--backend", "BACKEND"]],
    ["--format header", ["--format", "header", "--backend", "BACKEND"]],
    ["--format json and --tenant, flags in another order", ["--tenant", ORGANISATIONS[1], "--backend", "BACKEND", "--format", "json"]],
    ["--tenant by name, then --format raw", ["--backend", "BACKEND", "--tenant", ORGANISATIONS[0], "--format", "raw"]],
  ])("prints what commander prints for %s", async (_name, flags) => {
    const argv = ["token", CONNECTION_DOCUMENT, ...flags.map((flag) => (flag === "BACKEND" ? where.backendFlag : flag))];
    const { fast, commander } = await both(argv);
    expect(fast.code).toBe(0);
    expect(fast.loadedCommander).toBe(false);
    expect(withoutLoadFlag(fast)).toEqual(withoutLoadFlag(commander));
  });

  it.each([
    ["an unknown --format", ["--format", "xml"], 64],
    ["a tenant the consent does not cover", ["--tenant", "Nobody Ltd"], 1],
    ["a malformed backend address", ["--backend", "ftp:somewhere"], 64],
    ["the default backend, which holds no such document", [], 1],
  ])("fails as commander does for %s, without loading it", async (_name, flags, code) => {
    const argv = ["token", CONNECTION_DOCUMENT, ...(flags.includes("--backend") || flags.length === 0 ? flags : [...flags, ...backend()])];
    const { fast, commander } = await both(argv);
    expect(fast.code).toBe(code);
    expect(fast.stdout).toBe("");
    expect(fast.loadedCommander).toBe(false);
    expect(withoutLoadFlag(fast)).toEqual(withoutLoadFlag(commander));
  });

  it("fails as commander does for a document that does not exist", async () => {
    const { fast, commander } = await both(["token", "crm/Nothing", ...backend()]);
    expect(fast.code).toBe(1);
    expect(fast.loadedCommander).toBe(false);
    expect(withoutLoadFlag(fast)).toEqual(withoutLoadFlag(commander));
  });

  it("fails as commander does without the state key", async () => {
    const { CDKTF_XERO_STATE_KEY: _key, ...withoutKey } = env;
    const { fast, commander } = await both(["token", CONNECTION_DOCUMENT, ...backend()], withoutKey);
    expect(fast.code).not.toBe(0);
    expect(fast.loadedCommander).toBe(false);
    expect(withoutLoadFlag(fast)).toEqual(withoutLoadFlag(commander));
  });

  it.each([
    ["--help", ["token", "--help"]],
    ["--help after the document", ["token", CONNECTION_DOCUMENT, "--help"]],
    ["no document", ["token"]],
    ["an unknown flag", ["token", CONNECTION_DOCUMENT, "--tenat", "x"]],
    ["a flag without its value", ["token", CONNECTION_DOCUMENT, "--format"]],
    ["a repeated flag", ["token", CONNECTION_DOCUMENT, "--format", "raw", "--format", "json", "--backend", "BACKEND"]],
    ["a --flag=value", ["token", CONNECTION_DOCUMENT, "--format=header", "--backend", "BACKEND"]],
    ["a value that starts with a dash", ["token", CONNECTION_DOCUMENT, "--tenant", "-x", "--backend", "BACKEND"]],
    ["an extra argument", ["token", CONNECTION_DOCUMENT, "extra", "--backend", "BACKEND"]],
  ])("leaves %s to commander", async (_name, line) => {
    const argv = line.map((arg) => (arg === "BACKEND" ? where.backendFlag : arg));
    const { fast, commander } = await both(argv);
    expect(fast.loadedCommander).toBe(true);
    expect(withoutLoadFlag(fast)).toEqual(withoutLoadFlag(commander));
  });
});
