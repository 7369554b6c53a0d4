import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDriftBenchWorld, type DriftBenchWorld } from "../../bench/drift-setup";

/**
 * The drift benchmark prints a reference client's ratio beside drift's: it stands for "the same
 * calls with no checks" only while it makes exactly the calls a drift run makes.
 */
const DIST = join(__dirname, "..", "..", "dist");

describe("the drift benchmark's reference client", () => {
  let dir: string;
  let world: DriftBenchWorld;
  let appsFile: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-reference-"));
    world = await buildDriftBenchWorld({ dir, apps: 3, latencyMs: 0, rotations: true });
    appsFile = join(dir, "apps.json");
    await fs.writeFile(appsFile, JSON.stringify(world.apps));
  });
  afterAll(async () => {
    await world?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs `node args…` to its end; asynchronously, since the emulator answering it runs in this process. */
  function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...args], { env: { PATH: process.env["PATH"] ?? "", ...world.env }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  async function callsOf(args: readonly string[]): Promise<string[]> {
    await world.emulator.admin.clearRequests();
    const result = await run(args);
    if (result.code !== 0) throw new Error(`node ${args.join(" ")} exited ${String(result.code)}: ${result.stderr}`);
    return (await world.emulator.admin.requests()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`).sort();
  }

  it("makes the same calls, with the same answers, as drift over the benchmark's documents", async () => {
    const drift = await callsOf([join(DIST, "cli", "main.js"), "drift", "--backend", world.backendFlag, "--json", "--concurrency", "4"]);
    const reference = await callsOf([join(DIST, "bench", "drift-reference-client.js"), appsFile, "4"]);
    expect(drift).toHaveLength(6);
    expect(reference).toEqual(drift);
  });

  it("exits 1 and names the call when an answer is not a 200", async () => {
    const wrongSecrets = join(dir, "wrong-secrets.json");
    await fs.writeFile(wrongSecrets, JSON.stringify(world.apps.map((app) => ({ ...app, secretVariable: "NO_SUCH_VARIABLE" }))));
    const result = await run([join(DIST, "bench", "drift-reference-client.js"), wrongSecrets, "4"]);
    expect(result.code).toBe(1);
    // invalid_client, which Xero answers with a 400 (xero-platform.md).
    expect(result.stderr).toMatch(/^POST http:\/\/.*\/connect\/token: 400$/m);
  });
});
