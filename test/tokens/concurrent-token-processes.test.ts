import { existsSync } from "node:fs";
import { openLane, prepare, runTokenProcess, TOKEN_ENTRY, TOKEN_PATH, type BackendKind, type Lane } from "./refresh-trials";

/**
 * Issue 12: 16 token processes started together on one connection whose access token has expired.
 * The document's lock lets exactly one refresh reach Xero; the other 15 find its token set under the
 * lock and hand out its access token. No invalid_grant, and every process prints a token Xero accepts.
 */

const PROCESSES = 16;

describe.each<BackendKind>(["local", "pg"])("16 concurrent token processes on the %s backend", (backend) => {
  let lane: Lane;
  beforeAll(async () => {
    if (!existsSync(TOKEN_ENTRY)) throw new Error(`${TOKEN_ENTRY} does not exist: run \`npm run build\` before these tests (npm test does)`);
    lane = await openLane(backend);
  });
  afterAll(async () => {
    await lane?.close();
  });

  it("send exactly one refresh to the token endpoint, get no invalid_grant, and all print an access token GET /connections accepts", async () => {
    await prepare(lane);
    await lane.emulator.admin.clearRequests();
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => runTokenProcess(lane)));
    expect(runs.map((run) => `${run.code} ${run.stderr.trim()}`)).toEqual(runs.map(() => "0 "));

    const tokenRequests = (await lane.emulator.admin.requests()).filter((entry) => entry.path === TOKEN_PATH);
    expect(tokenRequests.map((entry) => [entry.body && typeof entry.body === "object" ? entry.body["grant_type"] : undefined, entry.status])).toEqual([["refresh_token", 200]]);

    const tokens = runs.map((run) => run.stdout.trim());
    expect(new Set(tokens).size).toBe(1);
    for (const token of tokens) expect(await lane.client.listConnections(token)).toHaveLength(1);
  });
});
