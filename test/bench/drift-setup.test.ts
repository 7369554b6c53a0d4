import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDriftBenchWorld, type DriftBenchWorld } from "../../bench/drift-setup";
import { openStateBackend } from "../../providers/state";

/** The drift benchmark's setup at a small N: what it builds is what the benchmark's numbers assume. */
describe("the drift benchmark's world", () => {
  let dir: string;
  let world: DriftBenchWorld;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-bench-"));
    world = await buildDriftBenchWorld({ dir, apps: 3, latencyMs: 7 });
  });
  afterAll(async () => {
    await world?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("writes an app registration and a link document per app, through the hooks", async () => {
    expect(world.documents).toEqual(["bench/App0", "bench/Link0", "bench/App1", "bench/Link1", "bench/App2", "bench/Link2"]);
    const backend = await openStateBackend({ type: "local", dir: world.backendDir }, { env: world.env, cwd: dir, logger: { warn: () => undefined } });
    try {
      expect((await backend.list()).sort()).toEqual([...world.documents].sort());
      for (const name of world.documents) expect((await backend.read(name))?.serial).toBeGreaterThan(0);
    } finally {
      await backend.close();
    }
  });

  it("links each app to its own organisation, as the link documents recorded", async () => {
    const backend = await openStateBackend({ type: "local", dir: world.backendDir }, { env: world.env, cwd: dir, logger: { warn: () => undefined } });
    try {
      const tenants = new Set<unknown>();
      for (let i = 0; i < 3; i++) {
        const link = await backend.read(`bench/Link${i}`);
        const app = await world.emulator.admin.getApp(String(link?.values["client_id"]));
        expect(link?.values["tenant_id"]).toBe(app.linkedTenantId);
        tenants.add(app.linkedTenantId);
      }
      expect(tenants.size).toBe(3);
    } finally {
      await backend.close();
    }
  });

  it("leaves the emulator with the latency switched on and an empty request log", async () => {
    expect(await world.emulator.admin.latency()).toEqual({ latencyMs: 7, waiting: 0 });
    expect(await world.emulator.admin.requests()).toEqual([]);
  });

  it("gives the drift process every app's secret in its environment, and keeps them out of the documents", async () => {
    const secrets = Object.entries(world.env).filter(([name]) => name.startsWith("BENCH_SECRET_")).map(([, value]) => value);
    expect(secrets).toHaveLength(3);
    const files = await fs.readdir(world.backendDir, { recursive: true, withFileTypes: true });
    const text = (await Promise.all(files.filter((f) => f.isFile()).map((f) => fs.readFile(join(f.parentPath ?? f.path, f.name), "utf8")))).join("\n");
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe("the drift benchmark's world with rotations", () => {
  it("holds the app registration and its rotation, whose document holds the app's secret, when links are left out", async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-bench-"));
    const world = await buildDriftBenchWorld({ dir, apps: 1, links: false, rotations: true, latencyMs: 0 });
    try {
      expect(world.documents).toEqual(["bench/App0", "bench/App0/rotation"]);
      const backend = await openStateBackend({ type: "local", dir: world.backendDir }, { env: world.env, cwd: dir, logger: { warn: () => undefined } });
      try {
        expect((await backend.list()).sort()).toEqual(["bench/App0", "bench/App0/rotation"]);
        const rotation = await backend.read("bench/App0/rotation");
        expect(rotation === undefined ? undefined : (await backend.openSecrets(rotation))["current"]).toBe(world.env["BENCH_SECRET_0"]);
      } finally {
        await backend.close();
      }
    } finally {
      await world.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
