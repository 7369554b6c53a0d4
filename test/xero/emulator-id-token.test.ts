import type { RunningEmulator } from "../../emulator";
import { XeroTokenVerificationError } from "../../providers/xero/errors";
import { createState } from "../../providers/xero/pkce";
import { authorizationCode, clientFor, consentingUser, REDIRECT_URI, startTestEmulator } from "./emulator-fixture";
import { rejection } from "./helpers";

/** XeroClient.verifyIdToken against the emulator's JWKS. */

const SCOPES = ["openid", "profile", "email", "offline_access", "accounting.invoices"];

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
  await consentingUser(emulator);
});
afterAll(async () => {
  await emulator.close();
});

async function consentedWebApp() {
  const app = await emulator.admin.createApp({ kind: "web", name: "Web", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
  const fixture = clientFor(emulator, { clientId: app.clientId, clientSecret: app.clientSecret ?? "" });
  const state = createState();
  const url = fixture.client.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: SCOPES, state, nonce: "nonce-1" });
  const tokens = await fixture.client.exchangeAuthorizationCode({ code: await authorizationCode(url, state), redirectUri: REDIRECT_URI });
  return { ...fixture, idToken: tokens.idToken ?? "", accessToken: tokens.accessToken };
}

describe("verifying the id token", () => {
  it("resolves with the consenting user's email and Xero's given and family names", async () => {
    const { client, idToken, accessToken } = await consentedWebApp();
    expect(await client.verifyIdToken(idToken, { nonce: "nonce-1", accessToken })).toMatchObject({ email: "ada@example.com", givenName: "Ada", familyName: "User" });
  });

  it("rejects an id token issued to another client by its audience", async () => {
    const { idToken } = await consentedWebApp();
    const other = await consentedWebApp();
    const error = await rejection(other.client.verifyIdToken(idToken, { nonce: "nonce-1" }));
    expect(error).toBeInstanceOf(XeroTokenVerificationError);
    expect((error as XeroTokenVerificationError).context).toMatchObject({ joseCode: "ERR_JWT_CLAIM_VALIDATION_FAILED", token: "id token", audience: other.client.clientId });
  });

  it("never puts the id token into its error", async () => {
    const { client, idToken } = await consentedWebApp();
    const error = await rejection(client.verifyIdToken(idToken, { nonce: "nonce-2" }));
    expect(JSON.stringify({ message: error.message, context: (error as XeroTokenVerificationError).context })).not.toContain(idToken.split(".")[1] ?? "");
  });
});
