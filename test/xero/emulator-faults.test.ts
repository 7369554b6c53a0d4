import { inspect } from "node:util";
import type { RunningEmulator } from "../../emulator";
import {
  XeroRateLimitedError,
  XeroRefreshOutcomeUnknownError,
  XeroUnavailableError,
} from "../../providers/xero/errors";
import { createState } from "../../providers/xero/pkce";
import { authorizationCode, clientFor, consentingUser, customConnection, REDIRECT_URI, startTestEmulator } from "./emulator-fixture";
import { rejection } from "./helpers";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  await consentingUser(emulator);
});

afterAll(async () => {
  await emulator.close();
});

describe("retries against the emulator", () => {
  it("waits out a 429's Retry-After on the token endpoint, then succeeds", async () => {
    const app = await customConnection(emulator);
    const { client, sleeps } = clientFor(emulator, app);
    await emulator.admin.injectFault({ path: "/identity/connect/token", status: 429, count: 1 });
    await expect(client.clientCredentials()).resolves.toMatchObject({ tokenType: "Bearer" });
    expect(sleeps).toEqual([1000]);
  });

  it("returns XeroRateLimitedError with Retry-After and the limit when the wait is longer than allowed", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app, { retry: { maxRetryAfterMs: 0 } });
    const token = (await client.clientCredentials()).accessToken;
    await emulator.admin.injectFault({ path: "/api/connections", status: 429, count: 1 });
    const error = await rejection(client.listConnections(token));
    expect(error).toBeInstanceOf(XeroRateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 1, problem: "minute" });
  });

  it("retries 5xx answers with backoff and returns the success", async () => {
    const app = await customConnection(emulator);
    const { client, sleeps } = clientFor(emulator, app, { random: () => 0 });
    const token = (await client.clientCredentials()).accessToken;
    await emulator.admin.injectFault({ path: "/api/connections", status: 503, count: 2 });
    expect(await client.listConnections(token)).toHaveLength(1);
    expect(sleeps).toEqual([5, 10]);
  });

  it("gives up with XeroUnavailableError (server_error) when 5xx outlasts maxAttempts", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app, { retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await emulator.admin.injectFault({ path: "/identity/connect/token", status: 500, count: 2 });
    expect(await rejection(client.clientCredentials())).toMatchObject({ code: "XERO_UNAVAILABLE", reason: "server_error", status: 500 });
  });

  it("turns answers slower than timeoutMs into XeroUnavailableError (timeout) after the attempts allowed", async () => {
    const app = await customConnection(emulator);
    const { client } = clientFor(emulator, app, { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    // Held until the client gives up, however long that takes on a busy machine.
    await emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 2 });
    const error = await rejection(client.clientCredentials());
    expect(error).toBeInstanceOf(XeroUnavailableError);
    expect(error).toMatchObject({ code: "XERO_UNAVAILABLE", reason: "timeout" });
  });

  it("turns a refresh slower than timeoutMs into an unknown outcome, sent once", async () => {
    const app = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["offline_access", "openid"], redirectUris: [REDIRECT_URI] });
    const credentials = { clientId: app.clientId, clientSecret: app.clientSecret ?? "" };
    const { client } = clientFor(emulator, credentials);
    const state = createState();
    const code = await authorizationCode(client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: ["offline_access", "openid"], state }), state);
    const tokens = await client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
    // Only the refresh has the short timeout; the emulator holds it until the client gives up.
    const impatient = clientFor(emulator, credentials, { timeoutMs: 100 });
    const lines = impatient.lines;
    await emulator.admin.injectFault({ path: "/identity/connect/token", hold: true, count: 1 });
    const error = await rejection(impatient.client.refresh(tokens.refreshToken ?? ""));
    expect(error).toBeInstanceOf(XeroRefreshOutcomeUnknownError);
    expect(error).toMatchObject({ reason: "timeout" });
    // The emulator logs a request when it finishes, so count the client's attempts.
    expect(lines.filter((line) => line.startsWith("xero: the refresh_token token request:")).map((line) => line.split(" {")[0])).toEqual([
      `xero: the refresh_token token request: POST ${emulator.identityUrl}/connect/token attempt 1 -> timeout (POST ${emulator.identityUrl}/connect/token: no answer within 100 ms)`,
    ]);
  });
});

describe("secrets in errors and logs", () => {
  it("never shows a client secret, access token or refresh token in any error or log line", async () => {
    const app = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: ["offline_access", "openid"], redirectUris: [REDIRECT_URI] });
    const secret = app.clientSecret ?? "";
    const { client, lines } = clientFor(emulator, { clientId: app.clientId, clientSecret: secret }, { retry: { maxAttempts: 2, baseDelayMs: 1 } });
    // The same credentials with a short timeout, for the one call that must go unanswered.
    const impatient = clientFor(emulator, { clientId: app.clientId, clientSecret: secret }, { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const state = createState();
    const code = await authorizationCode(client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: ["offline_access", "openid"], state }), state);
    const tokens = await client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI });
    const refreshToken = tokens.refreshToken ?? "";
    const errors: unknown[] = [];
    const collect = (promise: Promise<unknown>) => promise.catch((error: unknown) => errors.push(error));

    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "after-commit", count: 1 });
    await collect(client.refresh(refreshToken)); // unknown outcome
    await emulator.admin.injectFault({ path: "/identity/connect/token", drop: "before", count: 2 });
    await collect(client.clientCredentials()); // unavailable (network): both attempts dropped
    await emulator.admin.injectFault({ path: "/api/connections", hold: true, count: 2 });
    await collect(impatient.client.listConnections(tokens.accessToken)); // unavailable (timeout)
    await collect(client.exchangeAuthorizationCode({ code, redirectUri: REDIRECT_URI })); // invalid_grant
    await collect(clientFor(emulator, { clientId: app.clientId, clientSecret: `${secret}x` }).client.revoke(refreshToken)); // invalid_client

    expect(errors.map((error) => (error as { code?: string }).code)).toEqual([
      "XERO_REFRESH_OUTCOME_UNKNOWN",
      "XERO_UNAVAILABLE",
      "XERO_UNAVAILABLE",
      "XERO_INVALID_GRANT",
      "XERO_INVALID_CLIENT",
    ]);
    const printed = [...errors.map((error) => inspect(error, { depth: Infinity, showHidden: true })), ...lines, ...impatient.lines].join("\n");
    for (const value of [secret, refreshToken, tokens.accessToken, code]) {
      expect(printed).not.toContain(value);
    }
  });
});
