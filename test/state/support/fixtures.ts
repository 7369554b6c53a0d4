import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { StateBackendAddress } from "../../../contract/state-address";
import { localDocumentFile } from "../../../contract/state-address";
import { openStateBackend, type OpenStateBackendOptions, type StateBackend, type StateLogger } from "../../../providers/state";
import { requirePostgres as requirePgConnStr } from "../../support/postgres";

export { requirePgConnStr };

/** Two fixed test keys (base64 of 32 bytes each); never used outside tests. */
export const TEST_KEY_A = Buffer.alloc(32, 0xa1).toString("base64");
export const TEST_KEY_B = Buffer.alloc(32, 0xb2).toString("base64");
export const TEST_KEYRING = `a:${TEST_KEY_A}`;

export const TEST_ACTOR = { user: "alice@build-1", host: os.hostname(), pid: process.pid };

export class RecordingLogger implements StateLogger {
  readonly warnings: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
}

export interface BackendFixture {
  readonly kind: "local" | "pg";
  readonly address: StateBackendAddress;
  /** Environment every backend of this fixture gets (the test keyring, PG_CONN_STR). */
  readonly env: Record<string, string>;
  /** Project root (for the embedded default key). */
  readonly cwd: string;
  open(options?: OpenStateBackendOptions): Promise<StateBackend>;
  /** The stored text, read behind the backend's back. */
  getRaw(name: string): Promise<string | undefined>;
  /** Replaces the stored text behind the backend's back (to plant corrupt documents). */
  putRaw(name: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function localFixture(): Promise<BackendFixture> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-state-"));
  const dir = path.join(root, "state");
  const env = { CDKTF_XERO_STATE_KEY: TEST_KEYRING };
  const opened: StateBackend[] = [];
  return {
    kind: "local",
    address: { type: "local", dir },
    env,
    cwd: root,
    async open(options = {}) {
      const backend = await openStateBackend({ type: "local", dir }, { env, cwd: root, actor: TEST_ACTOR, logger: new RecordingLogger(), ...options });
      opened.push(backend);
      return backend;
    },
    async getRaw(name) {
      return fs.readFile(path.join(dir, localDocumentFile(name)), "utf8").catch(() => undefined);
    },
    async putRaw(name, text) {
      const file = path.join(dir, localDocumentFile(name));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    },
    async cleanup() {
      await Promise.all(opened.map((backend) => backend.close()));
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** A pg fixture on a schema of its own: `prefix` names the test file, a random suffix the run. */
export async function pgFixture(prefix: string): Promise<BackendFixture> {
  const connectionString = requirePgConnStr();
  const schema = `${prefix}_${randomBytes(4).toString("hex")}`;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-state-pg-"));
  const env = { CDKTF_XERO_STATE_KEY: TEST_KEYRING, PG_CONN_STR: connectionString };
  const opened: StateBackend[] = [];
  const admin = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    kind: "pg",
    address: { type: "pg", schema },
    env,
    cwd: root,
    async open(options = {}) {
      const backend = await openStateBackend({ type: "pg", schema }, { env, cwd: root, actor: TEST_ACTOR, logger: new RecordingLogger(), ...options });
      opened.push(backend);
      return backend;
    },
    async getRaw(name) {
      return admin(async (client) => {
        const result = await client.query<{ data: string }>(`SELECT data FROM "${schema}".states WHERE name = $1`, [name]);
        return result.rows[0]?.data;
      });
    },
    async putRaw(name, text) {
      await admin((client) =>
        client.query(`INSERT INTO "${schema}".states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = $2`, [name, text]),
      );
    },
    async cleanup() {
      await Promise.all(opened.map((backend) => backend.close().catch(() => undefined)));
      await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** The fixture for one backend kind, so `describe.each(["local", "pg"])` runs one suite against both. */
export function fixtureFor(kind: "local" | "pg", prefix: string): Promise<BackendFixture> {
  return kind === "local" ? localFixture() : pgFixture(prefix);
}
