import { once } from "node:events";
import * as http from "node:http";
import type { Socket } from "node:net";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { nodeHttpTransport } from "../../providers/xero/node-http-transport";

/**
 * The emulator never closes an idle kept-alive connection itself (the client does): a request sent
 * on an idle connection just as a server's idle timer closed it would fail with a reset.
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function headersOf(url: string): Promise<http.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true });
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on("end", () => {
          agent.destroy();
          resolve(response.headers);
        });
      })
      .on("error", reject);
  });
}

describe("kept-alive connections", () => {
  it("are kept open with no idle timeout announced, for Xero's endpoints and the admin API alike", async () => {
    for (const url of [`${emulator.identityUrl}/.well-known/openid-configuration`, `${emulator.adminUrl}/latency`]) {
      const headers = await headersOf(url);
      expect(headers.connection).toBe("keep-alive");
      expect(headers["keep-alive"]).toBeUndefined();
    }
  });
});

/** The connections Node's global agent keeps alive, unused, to the emulator listening on `port`. */
function pooledConnectionsTo(port: number): Socket[] {
  return Object.entries(http.globalAgent.freeSockets)
    .filter(([name]) => name.startsWith(`127.0.0.1:${port}:`))
    .flatMap(([, sockets]) => sockets ?? []);
}

describe("the emulator's close()", () => {
  it("ends the connection the Xero client's transport keeps alive in Node's global agent, itself when it closes, rather than leave it to the agent's idle timeout", async () => {
    const closing = await startEmulator();
    const response = await nodeHttpTransport()({ method: "GET", url: `${closing.identityUrl}/.well-known/openid-configuration`, headers: {}, timeoutMs: 60_000 });
    expect(response.status).toBe(200);
    const pooled = pooledConnectionsTo(closing.listening.port);
    expect(pooled).toHaveLength(1);
    // "end": the emulator ended it (the agent's own idle timeout would destroy it without one).
    await Promise.all([closing.close(), once(pooled[0]!, "end"), once(pooled[0]!, "close")]);
    expect(pooledConnectionsTo(closing.listening.port)).toEqual([]);
  });
});
