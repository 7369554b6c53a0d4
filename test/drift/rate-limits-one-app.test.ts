import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildDriftBenchWorld, BENCH_STACK, type DriftBenchWorld } from "../../bench/drift-setup";
import { openStateBackend } from "../../providers/state";
import { runCommand } from "../e2e/support";

/**
 * The shape of Xero's limits: 200 documents of ONE app (its registration, its rotation and
 * 198 links, the links copied straight into the backend: no Terraform needed for that many) checked
 * from the backend alone with `--concurrency 64`. Every call is the one app's, so every call counts
 * against its one per-app minute; none is tenant-scoped (the token endpoint and GET /connections
 * are tenantless). The emulator enforces Xero's limits and also answers some calls 429
 * (Retry-After: 1): drift must wait each one out, count it, ask again, and get no 429 of the
 * emulator's own.
 */
const CLI = resolve(__dirname, "../../dist/cli/main.js");
const LINK_COPIES = 197;
const DOCUMENTS = 3 + LINK_COPIES;

describe("drift --concurrency 64 over 200 documents of one app", () => {
  let dir: string;
  let world: DriftBenchWorld;
  let run: { code: number; stdout: string; stderr: string };
  let log: Array<{ method: string; path: string; status: number | "dropped"; fault?: string }>;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-one-app-"));
    world = await buildDriftBenchWorld({ dir, apps: 1, latencyMs: 0, rotations: true });
    const backend = await openStateBackend({ type: "local", dir: world.backendDir }, { env: { ...process.env, ...world.env }, cwd: dir });
    try {
      const link = await backend.read(`${BENCH_STACK}/Link0`);
      if (link === undefined) throw new Error("the link's hook wrote no document");
      for (let i = 1; i <= LINK_COPIES; i++) await backend.write(`${BENCH_STACK}/Link0-copy${i}`, undefined, link.values);
    } finally {
      await backend.close();
    }
    await world.emulator.admin.injectFault({ path: "/api/connections", status: 429, count: 4 });
    await world.emulator.admin.injectFault({ path: "/identity/connect/token", status: 429, count: 1 });
    await world.emulator.admin.clearRequests();
    run = await runCommand(process.execPath, [CLI, "drift", "--backend", world.backendFlag, "--concurrency", "64", "--json"], { cwd: dir, env: { ...world.env } });
    log = (await world.emulator.admin.requests()) as typeof log;
  }, 600_000);
  afterAll(async () => {
    await world?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("checks all 200 documents and finds nothing drifted", () => {
    const report = JSON.parse(run.stdout) as { summary: { resources: number; inSync: number; exitCode: number } };
    expect([run.code, report.summary.resources, report.summary.inSync]).toEqual([0, DOCUMENTS, DOCUMENTS]);
  });

  it("got no 429 but the injected ones: the app's minute limit never refused it", () => {
    const refused = log.filter((entry) => entry.status === 429);
    expect(refused.filter((entry) => entry.fault === undefined)).toEqual([]);
    expect([refused.filter((entry) => entry.path === "/identity/connect/token").length, refused.filter((entry) => entry.path === "/api/connections").length]).toEqual([1, 4]);
  });

  it("counts every 429 it waited out in the summary", () => {
    const report = JSON.parse(run.stdout) as { summary: { rateLimitedResponses: number } };
    expect(report.summary.rateLimitedResponses).toBe(5);
  });

  it("asked for the app's token once and listed its connections once per link, each refused call asked again", () => {
    const ok = (path: string) => log.filter((entry) => entry.path === path && entry.status === 200).length;
    expect([ok("/identity/connect/token"), ok("/api/connections")]).toEqual([1, 1 + LINK_COPIES]);
  });
});
