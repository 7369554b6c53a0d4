import { existsSync } from "node:fs";
import { formatBackendAddress } from "../../contract/state-address";
import { ConsentRequiredError } from "../../providers/tokens/errors";
import { vendAccessToken } from "../../providers/tokens/locked-refresh";
import { XeroRefreshOutcomeUnknownError } from "../../providers/xero/errors";
import { rejection } from "../xero/helpers";
import { DOCUMENT, openLane, prepare, refreshWorks, runTokenProcess, storeOf, TOKEN_ENTRY, TOKEN_PATH, type BackendKind, type Lane } from "./refresh-trials";

/**
 * Issue 12's emulator faults, each against a connection document on a real backend and the
 * emulator's real token endpoint: the answer dropped after Xero committed the refresh, a 429 with
 * Retry-After, a 5xx, and the clock moved 61 days. Each test has a lane of its own (emulator, app,
 * document), so a moved clock or a needs_consent stays inside it.
 */

const MINUTE_S = 60;
const DAY_S = 86_400;

async function tokenRequests(lane: Lane): Promise<Array<{ status: number | "dropped"; note?: string }>> {
  return (await lane.emulator.admin.requests()).filter((entry) => entry.path === TOKEN_PATH).map(({ status, note }) => ({ status, ...(note === undefined ? {} : { note }) }));
}

describe.each<BackendKind>(["local", "pg"])("emulator faults during a refresh, %s backend", (backend) => {
  let lane: Lane;
  beforeEach(async () => {
    lane = await openLane(backend);
    await prepare(lane);
    await lane.emulator.admin.clearRequests();
  });
  afterEach(async () => {
    await lane?.close();
  });

  it("keeps the write-ahead record when the answer is dropped after Xero rotated the token, and the next vend within the grace resumes and ends with a working set", async () => {
    const store = storeOf(lane);
    const before = (await store.read()).record.tokenSet!.refreshToken;
    await lane.emulator.admin.injectFault({ path: TOKEN_PATH, drop: "after-commit", count: 1 });
    expect(await rejection(vendAccessToken(store, lane.client, { clock: lane.clock }))).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    const cut = (await store.read()).record;
    expect(cut.refreshStarted).toBeDefined();
    expect(cut.tokenSet?.refreshToken).toBe(before);

    await lane.emulator.admin.advanceClock(20 * MINUTE_S);
    const vended = await vendAccessToken(store, lane.client, { clock: lane.clock });
    expect(vended).toMatchObject({ refreshed: true, resumed: true });
    expect(await lane.client.listConnections(vended.accessToken)).toHaveLength(1);
    expect(await tokenRequests(lane)).toEqual([{ status: "dropped" }, { status: 200, note: "old refresh token reused within the 30-minute grace" }]);
    expect((await store.read()).record.refreshStarted).toBeUndefined();
    expect(await refreshWorks(lane)).toEqual([]);
  });

  it("waits out a 429's Retry-After once, then refreshes", async () => {
    const sleeps: number[] = [];
    const client = lane.clientWith({ sleep: async (ms) => void sleeps.push(ms) });
    await lane.emulator.admin.injectFault({ path: TOKEN_PATH, status: 429, retryAfterSeconds: 3, count: 1 });
    const vended = await vendAccessToken(storeOf(lane), client, { clock: lane.clock });
    expect(sleeps).toEqual([3_000]);
    expect((await tokenRequests(lane)).map((entry) => entry.status)).toEqual([429, 200]);
    expect(await lane.client.listConnections(vended.accessToken)).toHaveLength(1);
    expect((await storeOf(lane).read()).record.refreshStarted).toBeUndefined();
  });

  it("does not resend a refresh Xero answered with a 5xx (it may have rotated the token), keeps the write-ahead record, and the next vend resumes it", async () => {
    const store = storeOf(lane);
    await lane.emulator.admin.injectFault({ path: TOKEN_PATH, status: 503, count: 1 });
    const error = await rejection(vendAccessToken(store, lane.client, { clock: lane.clock }));
    expect(error).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    expect((error as XeroRefreshOutcomeUnknownError).reason).toBe("server_error");
    expect(await tokenRequests(lane)).toEqual([{ status: 503 }]);
    expect((await store.read()).record.refreshStarted).toBeDefined();

    const vended = await vendAccessToken(store, lane.client, { clock: lane.clock });
    expect(vended).toMatchObject({ refreshed: true, resumed: true });
    expect(await lane.client.listConnections(vended.accessToken)).toHaveLength(1);
    expect(await refreshWorks(lane)).toEqual([]);
  });

  it("says needs_consent with the connect command 61 days later, without calling the token endpoint, and every later call (the token process too) says the same", async () => {
    const store = storeOf(lane);
    await lane.emulator.admin.advanceClock(61 * DAY_S);
    const connect = `Run \`cdktf-xero connect ${DOCUMENT} --backend ${formatBackendAddress(lane.address)}\``;
    const error = await rejection(vendAccessToken(store, lane.client, { clock: lane.clock }));
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect((error as Error).message).toContain("Xero's 60-day limit");
    expect((error as Error).message).toContain(connect);
    expect((await store.read()).record.needsConsent?.reason).toContain("60-day");

    const later = await rejection(vendAccessToken(store, lane.client, { clock: lane.clock }));
    expect((later as Error).message).toBe((error as Error).message);
    const processRun = await runTokenProcess(lane);
    expect(processRun.code).toBe(1);
    expect(processRun.stdout).toBe("");
    expect(processRun.stderr).toContain("CONNECTION_NEEDS_CONSENT");
    expect(processRun.stderr).toContain(`cdktf-xero connect ${DOCUMENT} --backend`);
    expect(await tokenRequests(lane)).toEqual([]);
  });
});

beforeAll(() => {
  if (!existsSync(TOKEN_ENTRY)) throw new Error(`${TOKEN_ENTRY} does not exist: run \`npm run build\` before these tests (npm test does)`);
});
