/**
 * A proof that the consent flow (providers/xero/consent-flow.ts) works with a real browser: headless
 * Chromium from Debian's `chromium` package, driven by playwright-core, opens the emulator's consent
 * page, clicks "Allow access" (or "Cancel"), and is redirected to the flow's loopback listener.
 * `npm run test:browser` builds and runs it (and `.ci/run` installs Debian's chromium for it):
 *
 *   npm run test:browser [-- --chromium /path/to/chromium]
 *
 * Without --chromium it uses /usr/bin/chromium, else `chromium` on PATH; with none it fails at once,
 * naming the apt command that installs it.
 *
 * Runs three consents, a Web app and a PKCE app allowed and a Web app declined, and prints one line
 * each (who consented, tenants, scopes; never a token). Exits 1 when any did not end as expected.
 */
import { accessSync, constants } from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { startEmulator, type RunningEmulator } from "../emulator";
import { XeroAuthorizeRedirectError } from "../providers/xero/consent-errors";
import { runConsentFlow, type ConsentApp } from "../providers/xero/consent-flow";
import { freeLoopbackPort } from "./free-loopback-port";

/**
 * What headless Chromium needs on these machines (no sandbox as root; no calls to Google's hosts).
 * playwright-core gives each launch a new empty profile of its own.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];


async function registerApp(emulator: RunningEmulator, kind: "web" | "pkce"): Promise<ConsentApp> {
  const redirectUris = [`http://localhost:${await freeLoopbackPort()}/callback`];
  const app = await emulator.admin.createApp({ kind, name: `Browser proof (${kind})`, scopes: ["offline_access", "accounting.invoices"], redirectUris });
  return { clientId: app.clientId, ...(app.clientSecret === undefined ? {} : { clientSecret: app.clientSecret }), redirectUris };
}

/** The "open browser" function: a new page clicks the consent button and waits to land on the redirect URI. */
function chromiumOpener(browser: Browser, button: "Allow access" | "Cancel", redirectUri: string): (url: string) => Promise<boolean> {
  return async (url) => {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.getByRole("button", { name: button }).click();
      await page.waitForURL((landed) => landed.href.startsWith(`${redirectUri}?`));
      await page.getByText("cdktf-xero received Xero's answer").waitFor();
      return true;
    } finally {
      await page.close();
    }
  };
}

async function consent(emulator: RunningEmulator, browser: Browser, kind: "web" | "pkce", button: "Allow access" | "Cancel"): Promise<string> {
  const app = await registerApp(emulator, kind);
  const printed: string[] = [];
  const result = await runConsentFlow({
    app,
    scopes: ["offline_access", "accounting.invoices"],
    openBrowser: chromiumOpener(browser, button, app.redirectUris[0] ?? ""),
    output: (line) => printed.push(line),
    client: { env: { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl } },
    timeoutMs: 60_000,
  });
  const who = `${result.identity.givenName ?? "?"} ${result.identity.familyName ?? "?"} <${result.identity.email ?? "?"}>`;
  return `${kind} app ${app.clientId}: consented by ${who}; tenants ${result.tenants.map((t) => t.tenantName).join(", ")}; scopes ${result.tokens.scopes.join(" ")}; refresh token ${result.tokens.refreshToken === undefined ? "absent" : "received"}`;
}

/** Debian's chromium package installs here. */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** Chromium cannot be found (or the one named cannot be run). */
class ChromiumNotFoundError extends Error {
  readonly code = "CHROMIUM_NOT_FOUND";
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to drive: the one named with --chromium, else Debian's, else `chromium` on PATH. */
function findChromium(args: readonly string[], pathVariable: string | undefined): string {
  const at = args.indexOf("--chromium");
  if (at !== -1) {
    const named = args[at + 1] ?? "";
    if (named === "" || !isExecutable(named)) {
      throw new ChromiumNotFoundError(`--chromium ${named === "" ? "needs a path" : `${named} is not an executable file`}: name the chromium binary, or drop the flag to use ${DEBIAN_CHROMIUM}`);
    }
    return named;
  }
  const onPath = (pathVariable ?? "").split(path.delimiter).filter((dir) => dir !== "").map((dir) => path.join(dir, "chromium"));
  const found = [DEBIAN_CHROMIUM, ...onPath].find(isExecutable);
  if (found === undefined) {
    throw new ChromiumNotFoundError(
      `no Chromium found at ${DEBIAN_CHROMIUM} nor as \`chromium\` on PATH. Install Debian's package: ` +
        "`sudo apt-get update && sudo apt-get install -y chromium` (as root, without sudo), or pass --chromium <path to a Chromium binary>",
    );
  }
  return found;
}

async function main(args: readonly string[]): Promise<number> {
  const executablePath = findChromium(args, process.env.PATH);
  const { chromium } = await import("playwright-core");
  const emulator = await startEmulator();
  let browser: Browser | undefined;
  let failures = 0;
  try {
    const { userId } = await emulator.admin.createUser({ email: "ada.lovelace@example.com" });
    const orgs = [await emulator.admin.createOrg({ name: "Demo Company (NZ)" }), await emulator.admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" })];
    // Signs the emulator's browser session in; the consent page ticks both organisations.
    await emulator.admin.consent({ userId, tenantIds: orgs.map((o) => o.tenantId) });
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    process.stdout.write(`chromium ${browser.version()} at ${executablePath}\n`);
    for (const kind of ["web", "pkce"] as const) {
      try {
        process.stdout.write(`ok   ${await consent(emulator, browser, kind, "Allow access")}\n`);
      } catch (error) {
        failures++;
        process.stdout.write(`FAIL ${kind} app allowed: ${String(error)}\n`);
      }
    }
    try {
      await consent(emulator, browser, "web", "Cancel");
      failures++;
      process.stdout.write("FAIL web app declined: the flow succeeded\n");
    } catch (error) {
      const ok = error instanceof XeroAuthorizeRedirectError && error.error === "access_denied";
      if (!ok) failures++;
      process.stdout.write(`${ok ? "ok  " : "FAIL"} web app declined: ${(error as Error).message}\n`);
    }
  } finally {
    await browser?.close();
    await emulator.close();
  }
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const text = error instanceof ChromiumNotFoundError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`consent-in-browser: ${text}\n`);
    process.exitCode = 1;
  },
);
