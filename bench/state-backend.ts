/**
 * State backend: write + read of one credential document, p50 and p99 per backend, each against a
 * bare baseline measured in the same run, interleaved so drift hits both alike:
 * - local: `writeFile` + `readFile` of the same bytes (no lock, no fsync, no rename, no history);
 * - pg: `INSERT … ON CONFLICT DO UPDATE` + `SELECT` of the same text on one pooled connection.
 * The ratio is the price of the guarantees (lock, compare-and-swap, durability, history, validation).
 * Run: `npm run bench -- state-backend` (pg part needs PG_CONN_STR).
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Pool } from "pg";
import { openStateBackend, serializeDocument, nextDocument, type OutputValues, type StateBackend } from "../providers/state";
import type { StateBackendAddress } from "../contract/state-address";
import { percentile } from "./stats";
import { startThrowawayPostgres } from "../scripts/throwaway-postgres";

const WARMUP = 20;
const ITERATIONS = 300;
const DOCUMENT = "bench/BillingApp";
const KEY = `bench:${randomBytes(32).toString("base64")}`;

interface Sample {
  readonly backend: number[];
  readonly baseline: number[];
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Alternates backend and baseline runs; returns the timings after warm-up. */
async function measure(backendRun: () => Promise<unknown>, baselineRun: () => Promise<unknown>): Promise<Sample> {
  const sample: Sample = { backend: [], baseline: [] };
  for (let i = 0; i < WARMUP + ITERATIONS; i += 1) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    let backendMs: number;
    let baselineMs: number;
    if (i % 2 === 0) {
      backendMs = await time(backendRun);
      baselineMs = await time(baselineRun);
    } else {
      baselineMs = await time(baselineRun);
      backendMs = await time(backendRun);
    }
    if (i >= WARMUP) {
      sample.backend.push(backendMs);
      sample.baseline.push(baselineMs);
    }
  }
  return sample;
}

function report(label: string, baselineLabel: string, sample: Sample): void {
  const f = (ms: number): string => `${ms.toFixed(2).padStart(7)} ms`;
  const p50 = percentile(sample.backend, 50);
  const p99 = percentile(sample.backend, 99);
  const b50 = percentile(sample.baseline, 50);
  const b99 = percentile(sample.baseline, 99);
  process.stdout.write(
    `${label.padEnd(34)} p50 ${f(p50)}  p99 ${f(p99)}\n` +
      `${baselineLabel.padEnd(34)} p50 ${f(b50)}  p99 ${f(b99)}\n` +
      `${"ratio (backend / baseline)".padEnd(34)} p50 ${(p50 / b50).toFixed(1).padStart(7)} x   p99 ${(p99 / b99).toFixed(1).padStart(7)} x  (n ${sample.backend.length})\n`,
  );
}

async function documentValues(backend: StateBackend): Promise<OutputValues> {
  return {
    tenant_id: "c3f4b7a0-5d6e-4f80-9a1b-2c3d4e5f6a7b",
    tenant_name: "Demo Company (Global)",
    scopes: ["accounting.transactions", "accounting.contacts.read", "offline_access"],
    granted_scopes: ["accounting.transactions", "accounting.contacts.read"],
    labels: { env: "prod", team: "finance-platform" },
    generation: 3,
    secrets: await backend.sealSecrets(DOCUMENT, { client_secret: randomBytes(24).toString("base64url") }),
  };
}

/** One write (compare-and-swap on the serial just read) and one read, as a hook does. */
function backendRun(backend: StateBackend, values: OutputValues): () => Promise<unknown> {
  let serial: number | undefined;
  return async () => {
    serial = (await backend.write(DOCUMENT, serial, values)).serial;
    return backend.read(DOCUMENT);
  };
}

async function benchLocal(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-bench-"));
  const address: StateBackendAddress = { type: "local", dir: path.join(root, "state") };
  const backend = await openStateBackend(address, { env: { CDKTF_XERO_STATE_KEY: KEY }, cwd: root });
  try {
    const values = await documentValues(backend);
    const text = serializeDocument(nextDocument(undefined, values, () => "lineage"));
    const baselineFile = path.join(root, "baseline.tfstate");
    const sample = await measure(backendRun(backend, values), async () => {
      await fs.writeFile(baselineFile, text, { mode: 0o600 });
      return fs.readFile(baselineFile, "utf8");
    });
    report("local backend write+read", "bare writeFile+readFile", sample);
  } finally {
    await backend.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function benchPg(connectionString: string): Promise<void> {
  const schema = `bench_state_${randomBytes(4).toString("hex")}`;
  const backend = await openStateBackend({ type: "pg", schema }, { env: { CDKTF_XERO_STATE_KEY: KEY, PG_CONN_STR: connectionString } });
  const pool = new Pool({ connectionString, max: 1 });
  try {
    const values = await documentValues(backend);
    const text = serializeDocument(nextDocument(undefined, values, () => "lineage"));
    await pool.query(`CREATE TABLE "${schema}".baseline (id serial PRIMARY KEY, name text UNIQUE, data text)`);
    const sample = await measure(backendRun(backend, values), async () => {
      await pool.query(`INSERT INTO "${schema}".baseline (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = $2`, [DOCUMENT, text]);
      return pool.query(`SELECT data FROM "${schema}".baseline WHERE name = $1`, [DOCUMENT]);
    });
    report("pg backend write+read", "bare INSERT..ON CONFLICT + SELECT", sample);
  } finally {
    await backend.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`state backend: write+read of one document, ${ITERATIONS} runs after ${WARMUP} warm-up, interleaved with the baseline\n`);
  await benchLocal();
  const connectionString = process.env.PG_CONN_STR;
  if (connectionString !== undefined && connectionString !== "") {
    await benchPg(connectionString);
    return;
  }
  // No PG_CONN_STR: a throwaway server, as `npm test` starts one.
  const server = await startThrowawayPostgres();
  process.stdout.write(`pg: a throwaway PostgreSQL (${server.source})\n`);
  try {
    await benchPg(server.connectionString);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
