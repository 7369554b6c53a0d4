import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI, type CliRun } from "./run-cli";

/**
 * The compiled CLI in a child process that a test talks to while it runs: it waits for a line on
 * stdout (the URL `connect` prints), acts on it (a browser consents), writes stdin (a pasted
 * redirect), then collects the exit code and output.
 */
export interface InteractiveCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line matching `pattern` (rejects if the process ends first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves when the process has ended. */
  readonly done: Promise<CliRun>;
}

export function startCli(args: readonly string[], options: { cwd: string; env: Record<string, string> }): InteractiveCli {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? "", ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const line = stdout.split("\n").find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => undefined);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the CLI ended (exit ${code}) before printing a line matching ${waiter.pattern}:\n${stdout}\n${stderr}`));
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForLine: (pattern) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}
