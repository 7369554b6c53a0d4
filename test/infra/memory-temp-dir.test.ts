/**
 * Where `npm test` keeps its temporary files (test/support/memory-temp-dir.ts) and the process that
 * removes them when the run ends (scripts/remove-dir-on-parent-exit.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEMP_DIR_REMOVER } from "../global-setup";
import { makeMemoryTempDir } from "../support/memory-temp-dir";

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "cdktf-xero-memory-base-"));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** A directory with files in it, as a test run leaves them. */
function filledDir(): string {
  const dir = join(base, "run");
  mkdirSync(join(dir, "nested", "deeper"), { recursive: true });
  writeFileSync(join(dir, "nested", "deeper", "file"), "x");
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until the directory is gone: a condition the remover meets, not a time window. */
async function untilRemoved(dir: string): Promise<void> {
  while (existsSync(dir)) await new Promise((resolve) => setTimeout(resolve, 20));
}

test("makes a directory with the mode of /tmp, so a test running a process as another user reaches it", () => {
  const made = makeMemoryTempDir(base, 0);
  if (!("dir" in made)) throw new Error(`refused: ${made.refused}`);
  expect(made.dir.startsWith(join(base, "cdktf-xero-tests-"))).toBe(true);
  expect(statSync(made.dir).mode & 0o7777).toBe(0o1777);
});

test("refuses a filesystem with less room than a run needs, leaving nothing there", () => {
  expect(makeMemoryTempDir(base, Number.MAX_SAFE_INTEGER)).toEqual({ refused: "too small" });
  expect(readdirSync(base)).toEqual([]);
});

test("refuses a base that does not exist", () => {
  expect(makeMemoryTempDir(join(base, "missing"), 0)).toEqual({ refused: "absent" });
});

test("the remover removes the directory and exits at once when its parent says it is done", async () => {
  const dir = filledDir();
  const remover = spawn(process.execPath, [TEMP_DIR_REMOVER, dir], { stdio: ["pipe", "ignore", "pipe"] });
  const exited = new Promise<number | null>((resolve) => remover.once("exit", resolve));
  remover.stdin!.end("done\n");
  expect(await exited).toBe(0);
  expect(existsSync(dir)).toBe(false);
});

test("the remover removes the directory when the process that started it is SIGKILLed, and again when a leftover process makes it anew", async () => {
  const dir = filledDir();
  const parentScript = [
    'const { spawn } = require("node:child_process");',
    `const child = spawn(process.execPath, [${JSON.stringify(TEMP_DIR_REMOVER)}, ${JSON.stringify(dir)}], { stdio: ["pipe", "ignore", "inherit"], detached: true });`,
    'process.stdout.write(`${child.pid}\\n`);',
  ].join("\n");
  const parent = spawn(process.execPath, ["-e", `${parentScript}\nsetInterval(() => undefined, 1000);`], { stdio: ["ignore", "pipe", "pipe"] });
  const removerPid = Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString()))));
  const killed = new Promise<NodeJS.Signals | null>((resolve) => parent.once("exit", (_code, signal) => resolve(signal)));
  parent.kill("SIGKILL");
  expect(await killed).toBe("SIGKILL");
  await untilRemoved(dir);
  // What an orphaned `npm ci` or Terraform does after its run was killed.
  mkdirSync(join(dir, "made", "again"), { recursive: true });
  await untilRemoved(dir);
  const removerExited = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (!isAlive(removerPid)) resolve(clearInterval(poll));
    }, 20);
  });
  process.kill(removerPid, "SIGTERM");
  await removerExited;
});
