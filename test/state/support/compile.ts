import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * Child processes (concurrency, crash and lock tests) run plain node on JavaScript transpiled here from
 * the sources under test, so they test this working tree without a full `npm run build`.
 */

const ROOT = path.resolve(__dirname, "../../..");
const SOURCES = ["providers/state", "providers/errors.ts", "providers/clock.ts", "contract/state-address.ts", "contract/document-codec.ts", "test/state/workers"];

async function listTs(entry: string): Promise<string[]> {
  const full = path.join(ROOT, entry);
  const stat = await fs.stat(full);
  if (stat.isFile()) return [entry];
  const children = await fs.readdir(full);
  const nested = await Promise.all(children.map((child) => listTs(path.join(entry, child))));
  return nested.flat().filter((file) => file.endsWith(".ts"));
}

/** Transpiles the state backend and the test workers into a fresh directory; returns it. */
export async function compileWorkers(): Promise<string> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-workers-"));
  const files = (await Promise.all(SOURCES.map(listTs))).flat();
  for (const file of files) {
    const source = await fs.readFile(path.join(ROOT, file), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const target = path.join(out, file.replace(/\.ts$/, ".js"));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, outputText);
  }
  return out;
}

/** Starts `node <out>/test/state/workers/<worker>.js args…` with node_modules of this repository on NODE_PATH. */
export function spawnWorker(
  out: string,
  worker: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { uid?: number; gid?: number } = {},
): ChildProcess {
  return spawn(process.execPath, [path.join(out, "test/state/workers", `${worker}.js`), ...args], {
    env: { PATH: process.env.PATH ?? "", NODE_PATH: path.join(ROOT, "node_modules"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

export interface WorkerResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Collects a worker's output until it exits. */
export function waitForExit(child: ChildProcess): Promise<WorkerResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves when the worker prints a line matching `pattern` (e.g. "locked"). */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        child.stdout?.off("data", onData);
        resolve(line);
      }
    };
    child.stdout?.on("data", onData);
    child.on("close", (code) => reject(new Error(`worker exited (${String(code)}) before printing ${pattern}: ${buffered}`)));
  });
}
