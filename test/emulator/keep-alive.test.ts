import * as http from "node:http";
import { startEmulator, type RunningEmulator } from "../../emulator";

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
