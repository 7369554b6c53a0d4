import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Child processes (concurrency, crash and lock tests) run plain node on JavaScript transpiled here from
 * the sources under test, so they test this working tree without a full `npm run build`. The output is
 * kept in the run's temp directory under the hash of the sources, so the suites that need it share one
 * transpilation per run (and load TypeScript only when there is none yet).
 */

const ROOT = path.resolve(__dirname, "../../..");
const SOURCES = ["providers/state", "providers/errors.ts", "providers/clock.ts", "contract/state-address.ts", "contract/document-codec.ts", "test/state/workers"];

/** Options beside the module kind and target (CommonJS, ES2022: TypeScript's enums, named in the call). */
const TRANSPILE_OPTIONS = { esModuleInterop: true } as const;

async function listTs(entry: string): Promise<string[]> {
  const full = path.join(ROOT, entry);
  const stat = await fs.stat(full);
  if (stat.isFile()) return [entry];
  const children = await fs.readdir(full);
  const nested = await Promise.all(children.map((child) => listTs(path.join(entry, child))));
  return nested.flat().filter((file) => file.endsWith(".ts"));
}

/** Transpiles the state backend and the test workers (once per run and sources); returns the directory. */
export async function compileWorkers(): Promise<string> {
  const files = (await Promise.all(SOURCES.map(listTs))).flat().sort();
  const sources = await Promise.all(files.map(async (file) => ({ file, source: await fs.readFile(path.join(ROOT, file), "utf8") })));
  const hash = createHash("sha256");
  // The compiler's version and options too: the directory may outlive the run (a TMPDIR of one's own).
  const typescript = JSON.parse(await fs.readFile(path.join(ROOT, "node_modules", "typescript", "package.json"), "utf8")) as { version: string };
  hash.update(`typescript ${typescript.version}\0${JSON.stringify(TRANSPILE_OPTIONS)}\0`);
  for (const { file, source } of sources) hash.update(`${file}\0${source}\0`);
  const out = path.join(os.tmpdir(), `cdktf-xero-workers-${hash.digest("hex").slice(0, 16)}`);
  if (await exists(out)) return out;
  // Made beside the final directory and renamed into place, so a suite never sees a half-written one.
  const made = await fs.mkdtemp(`${out}-`);
  // Loaded only here: TypeScript is big, and most runs find the transpiled workers already there.
  const ts = await import("typescript");
  for (const { file, source } of sources) {
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, ...TRANSPILE_OPTIONS },
      fileName: file,
    });
    const target = path.join(made, file.replace(/\.ts$/, ".js"));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, outputText);
  }
  try {
    await fs.rename(made, out);
  } catch (error) {
    // Another suite renamed the same output into place first.
    await fs.rm(made, { recursive: true, force: true });
    if (!(await exists(out))) throw error;
  }
  return out;
}

async function exists(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    () => true,
    () => false,
  );
}

/** Starts `node <out>/test/state/workers/<worker>.js args…` with node_modules of this repository on NODE_PATH. */
export function spawnWorker(
  out: string,
  worker: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { uid?: number; gid?: number; stdin?: "pipe" | "ignore" } = {},
): ChildProcess {
  const { stdin = "ignore", ...ids } = options;
  return spawn(process.execPath, [path.join(out, "test/state/workers", `${worker}.js`), ...args], {
    env: { PATH: process.env.PATH ?? "", NODE_PATH: path.join(ROOT, "node_modules"), ...env },
    stdio: [stdin, "pipe", "pipe"],
    ...ids,
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
