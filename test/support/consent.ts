/**
 * A person consenting to a connection in the emulator, for lifecycle and end-to-end tests: the real
 * consent flow (providers/xero/consent-flow.ts, loopback listener included) driven by a browser that
 * posts the emulator's consent page, then `storeConsent`, the one write that stores a consent.
 * It is what `cdktf-xero connect` does, without the command around it.
 */
import type { RunningEmulator } from "../../emulator";
import type { OAuthConnectionSpec } from "../../contract/connection";
import { storeConsent } from "../../providers/lifecycle/connection/consent-record";
import type { StateBackend } from "../../providers/state";
import { runConsentFlow, type ConsentResult } from "../../providers/xero/consent-flow";
import { freeLoopbackPort } from "../../scripts/free-loopback-port";
import { formBrowser } from "../xero/consent-browser";

/** `http://localhost:<a free port>/callback`: a loopback redirect URI the flow can listen on. */
export async function freeLoopbackRedirectUri(): Promise<string> {
  return `http://localhost:${await freeLoopbackPort()}/callback`;
}

/**
 * Signs `email` in to the emulator's browser, ticking `tenantIds` on its consent page (admin
 * `POST /users` and `POST /consent`).
 */
export async function signInToEmulator(emulator: RunningEmulator, email: string, tenantIds: string[]): Promise<void> {
  const { userId } = await emulator.admin.createUser({ email });
  await emulator.admin.consent({ userId, tenantIds });
}

/**
 * Consents to `spec`'s app in the emulator as the signed-in user and stores the token set in the
 * connection's document. `clientSecret` is the Web app's (none for PKCE).
 */
export async function consentAndStore(
  emulator: RunningEmulator,
  backend: StateBackend,
  spec: OAuthConnectionSpec,
  options: { readonly clientSecret?: string; readonly now: Date },
): Promise<ConsentResult> {
  const browser = formBrowser();
  let result: ConsentResult;
  try {
    result = await runConsentFlow({
      app: { clientId: spec.app.clientId, redirectUris: spec.app.redirectUris, ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }) },
      scopes: spec.scopes,
      openBrowser: browser.open,
      output: () => undefined,
      timeoutMs: 30_000,
      client: { env: { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl } },
    });
  } catch (error) {
    throw new Error(`the consent failed (${String(error)}); the browser met: ${browser.problems.join("; ") || "nothing"}`);
  }
  await storeConsent(backend, spec, result, options.now);
  return result;
}

/** Disconnects one organisation as a user would in Xero: DELETE /connections/{id} with the consent's access token. */
export async function disconnectInEmulator(emulator: RunningEmulator, accessToken: string, connectionId: string): Promise<void> {
  const response = await fetch(`${emulator.apiUrl}/connections/${connectionId}`, { method: "DELETE", headers: { authorization: `Bearer ${accessToken}` } });
  if (response.status !== 204) throw new Error(`DELETE /connections/${connectionId} answered ${response.status}: ${await response.text()}`);
}
