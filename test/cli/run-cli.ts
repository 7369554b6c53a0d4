import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The compiled CLI, as users run it: `npm test` builds dist/ before jest runs. */
export const CLI = path.resolve(__dirname, "../../dist/cli/main.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI in a child process with a minimal environment; stdin gets `stdin` (default: nothing). */
export function runCompiledCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; stdin?: string },
): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    // The CLI may stop reading stdin early (a too-long secret): the write then fails with EPIPE, which is expected.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
