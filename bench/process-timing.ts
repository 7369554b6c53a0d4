/**
 * What every benchmark script shares: its integer flags, and timing a fresh `node` process from
 * spawn to exit (Node start-up and module loading included: what a hook pays per call).
 */
import { spawn } from "node:child_process";

/** The integer after `name` in `argv`, or `fallback`; at least `min`, else a RangeError naming the flag. */
export function integerOption(argv: readonly string[], name: string, fallback: number, min = 1): number {
  const at = argv.indexOf(name);
  const value = at === -1 ? fallback : Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${argv[at + 1]}`);
  return value;
}

/** Spawns `node args…` (with `stdin` piped in when given); resolves with its wall time in ms, rejects if it fails. */
export function timeNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { readonly cwd?: string; readonly stdin?: string } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const stdin = options.stdin === undefined ? "ignore" : "pipe";
    const child = spawn(process.execPath, [...args], { env, ...(options.cwd === undefined ? {} : { cwd: options.cwd }), stdio: [stdin, "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(elapsedMs);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}
