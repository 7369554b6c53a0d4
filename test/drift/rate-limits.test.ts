import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildDriftBenchWorld, type DriftBenchWorld } from "../../bench/drift-setup";
import { runCommand } from "../e2e/support";

/**
 * Xero's limits under `drift --concurrency 64`: 100 Custom Connections, each with its link and
 * rotation (300 documents, written by the real hooks), checked from the backend alone. The
 * emulator enforces Xero's limits and, on top, answers some calls 429 (Retry-After: 1): drift must
 * wait each one out, count it, and still check everything.
 */
const CLI = resolve(__dirname, "../../dist/cli/main.js");
const APPS = 100;

describe("drift --concurrency 64 against Xero's limits", () => {
  let dir: string;
  let world: DriftBenchWorld;
  let run: { code: number; stdout: string; stderr: string };
  let log: Array<{ method: string; path: string; status: number | "dropped"; fault?: string }>;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-limits-"));
    world = await buildDriftBenchWorld({ dir, apps: APPS, latencyMs: 0, rotations: true });
    await world.emulator.admin.injectFault({ path: "/api/connections", status: 429, count: 3 });
    await world.emulator.admin.injectFault({ path: "/identity/connect/token", status: 429, count: 2 });
    run = await runCommand(process.execPath, [CLI, "drift", "--backend", world.backendFlag, "--concurrency", "64", "--json"], { cwd: dir, env: { ...world.env } });
    log = (await world.emulator.admin.requests()) as typeof log;
  }, 600_000);
  afterAll(async () => {
    await world?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("checks every document and finds nothing drifted", () => {
    const report = JSON.parse(run.stdout) as { summary: { resources: number; inSync: number; exitCode: number } };
    expect([run.code, report.summary.resources, report.summary.inSync]).toEqual([0, APPS * 3, APPS * 3]);
  });

  it("counts every 429 it waited out in the summary", () => {
    const report = JSON.parse(run.stdout) as { summary: { rateLimitedResponses: number } };
    expect(report.summary.rateLimitedResponses).toBe(5);
  });

  it("got no 429 but the injected ones: the emulator's own limits never refused it", () => {
    const refused = log.filter((entry) => entry.status === 429);
    expect(refused.filter((entry) => entry.fault === undefined)).toEqual([]);
    expect([refused.filter((entry) => entry.path === "/identity/connect/token").length, refused.filter((entry) => entry.path === "/api/connections").length]).toEqual([2, 3]);
  });

  it("answered each app's token and connections request once, after the 429s", () => {
    const ok = (path: string) => log.filter((entry) => entry.path === path && entry.status === 200).length;
    expect([ok("/identity/connect/token"), ok("/api/connections")]).toEqual([APPS, APPS]);
  });
});
