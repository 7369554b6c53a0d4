import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { XeroClient, type XeroClientOptions } from "../../providers/xero/client";
import { realSleep } from "../../providers/xero/send";

/** The client pointed at a running emulator, with its debug lines and waits recorded. */
export interface EmulatorClient {
  client: XeroClient;
  lines: string[];
  sleeps: number[];
}

export const REDIRECT_URI = "http://localhost:8765/callback";

export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl };
}

export function clientFor(
  emulator: RunningEmulator,
  credentials: { clientId: string; clientSecret?: string },
  options: Partial<XeroClientOptions> = {},
): EmulatorClient {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const client = new XeroClient({
    ...credentials,
    env: emulatorEnv(emulator),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    // Real waits (so Retry-After is really honoured), recorded so tests can say how long was asked.
    sleep: (ms) => {
      sleeps.push(ms);
      return realSleep(ms);
    },
    logger: { debug: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`) },
    ...options,
  });
  return { client, lines, sleeps };
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ autoConsent: true, ...options });
}

/** A Custom Connection linked to a fresh organisation. */
export async function customConnection(emulator: RunningEmulator, scopes: string[] = ["accounting.invoices", "accounting.contacts"]) {
  const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Sync", scopes });
  const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
  await emulator.admin.link(app.clientId, tenantId);
  return { clientId: app.clientId, clientSecret: app.clientSecret ?? "", tenantId };
}

/** A signed-in user who consents to two organisations on the next authorize request. */
export async function consentingUser(emulator: RunningEmulator): Promise<{ userId: string; tenantIds: string[] }> {
  const { userId } = await emulator.admin.createUser({ email: "ada@example.com" });
  const first = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
  const second = await emulator.admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" });
  const tenantIds = [first.tenantId, second.tenantId];
  await emulator.admin.consent({ userId, tenantIds });
  return { userId, tenantIds };
}

/** Follows the authorize URL the way a browser would with auto-consent, returning the code. */
export async function authorizationCode(authorizeUrl: string, state: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) {
    throw new Error(`authorize answered ${response.status} without a redirect: ${await response.text()}`);
  }
  const redirect = new URL(location);
  if (redirect.searchParams.get("state") !== state) throw new Error(`state mismatch in ${redirect.origin}${redirect.pathname}`);
  const code = redirect.searchParams.get("code");
  if (code === null) throw new Error(`no code in the redirect: ${redirect.searchParams.get("error") ?? "?"}`);
  return code;
}
