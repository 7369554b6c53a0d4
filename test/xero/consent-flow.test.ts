import { startEmulator, type RunningEmulator } from "../../emulator";
import { XeroAuthorizeRedirectError, XeroConsentTimeoutError, XeroNoLoopbackRedirectUriError, XeroRedirectUrlError, XeroStateMismatchError } from "../../providers/xero/consent-errors";
import { runConsentFlow, type ConsentFlowOptions } from "../../providers/xero/consent-flow";
import { XeroTokenVerificationError } from "../../providers/xero/errors";
import { axiosTransport, type HttpTransport } from "../../providers/xero/http";
import { formBrowser, type FormBrowserChoices } from "./consent-browser";
import { emulatorEnv } from "./emulator-fixture";
import { rejection } from "./helpers";
import { freeLoopbackPort } from "../../scripts/free-loopback-port";

/**
 * The consent flow against the emulator's consent page over real HTTP: a browser (plain HTTP,
 * posting the page's form) consents, the flow's loopback listener takes the redirect.
 */

const SCOPES = ["offline_access", "accounting.invoices"];
const APP_SCOPES = ["offline_access", "accounting.invoices", "accounting.settings.read"];

let emulator: RunningEmulator;
let tenantIds: string[];

beforeAll(async () => {
  emulator = await startEmulator();
  const { userId } = await emulator.admin.createUser({ email: "ada.lovelace@example.com" });
  const first = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
  const second = await emulator.admin.createOrg({ name: "Practice Ltd", type: "PRACTICE" });
  tenantIds = [first.tenantId, second.tenantId];
  // Signs the emulator's browser in; the consent page then ticks both organisations.
  await emulator.admin.consent({ userId, tenantIds });
});

afterAll(async () => {
  await emulator.close();
});


async function app(kind: "web" | "pkce", redirectUris?: string[]): Promise<{ clientId: string; clientSecret?: string; redirectUris: string[] }> {
  const uris = redirectUris ?? [`http://localhost:${await freeLoopbackPort()}/callback`];
  const created = await emulator.admin.createApp({ kind, name: kind === "web" ? "Reporting" : "Desktop", scopes: APP_SCOPES, redirectUris: uris });
  return { clientId: created.clientId, ...(created.clientSecret === undefined ? {} : { clientSecret: created.clientSecret }), redirectUris: uris };
}

interface Run {
  lines: string[];
  options: ConsentFlowOptions;
}

function flow(consentApp: ConsentFlowOptions["app"], browser: FormBrowserChoices = {}, extra: Partial<ConsentFlowOptions> = {}): Run {
  const lines: string[] = [];
  const options: ConsentFlowOptions = {
    app: consentApp,
    scopes: SCOPES,
    openBrowser: formBrowser(browser).open,
    output: (line) => lines.push(line),
    client: { env: emulatorEnv(emulator) },
    ...extra,
  };
  return { lines, options };
}

describe("consent flow on a loopback redirect URI", () => {
  it("connects a Web app and returns the token set, who consented and the tenants", async () => {
    const web = await app("web");
    const result = await runConsentFlow(flow(web).options);
    expect(result.tokens.refreshToken).toEqual(expect.any(String));
    expect(result.identity).toMatchObject({ email: "ada.lovelace@example.com", givenName: "Ada", familyName: "Lovelace" });
    expect(result.tenants.map((t) => t.tenantId).sort()).toEqual([...tenantIds].sort());
    expect(result.redirectUri).toBe(web.redirectUris[0]);
  });

  it("connects a PKCE app, which has no secret", async () => {
    const pkce = await app("pkce");
    const result = await runConsentFlow(flow(pkce).options);
    expect(result.identity.email).toBe("ada.lovelace@example.com");
    expect([...result.tokens.scopes].sort()).toEqual(["accounting.invoices", "email", "offline_access", "openid", "profile"]);
  });

  it("sends a Web app's authorize request with an S256 challenge and a nonce, and its code with the verifier and the secret", async () => {
    const web = await app("web");
    await emulator.admin.clearRequests();
    await runConsentFlow(flow(web).options);
    const log = await emulator.admin.requests();
    const authorize = log.find((entry) => entry.path.endsWith("/identity/connect/authorize"));
    const token = log.find((entry) => entry.path.endsWith("/identity/connect/token"));
    expect(authorize?.query).toMatchObject({ code_challenge_method: "S256", nonce: expect.any(String), code_challenge: expect.any(String) });
    expect(token?.body).toMatchObject({ grant_type: "authorization_code", code_verifier: "[REDACTED]" });
    expect(token?.headers["authorization"]).toMatch(/^Basic /);
  });

  it("prints the authorize URL even when the browser opens it", async () => {
    const web = await app("web");
    const run = flow(web);
    await runConsentFlow(run.options);
    expect(run.lines.some((line) => line.startsWith(`${emulator.loginUrl}/identity/connect/authorize?response_type=code&client_id=${web.clientId}`))).toBe(true);
  });

  it("prints no token, code or verifier", async () => {
    const web = await app("web");
    const run = flow(web);
    const result = await runConsentFlow(run.options);
    const printed = run.lines.join("\n");
    expect(printed).not.toContain(result.tokens.accessToken);
    expect(printed).not.toContain(result.tokens.refreshToken ?? "no refresh token");
    expect(printed).not.toContain("code_verifier");
    expect(printed).not.toMatch(/[?&]code=/);
  });

  it("waits for the printed URL to be opened by hand when no browser can be opened", async () => {
    const web = await app("web");
    const browser = formBrowser();
    const lines: string[] = [];
    const result = await runConsentFlow({
      ...flow(web).options,
      openBrowser: async () => false,
      output: (line) => {
        lines.push(line);
        if (line.startsWith(emulator.loginUrl)) void browser.open(line);
      },
    });
    expect(result.identity.givenName).toBe("Ada");
    expect(lines).toContain("Could not open a browser: open the URL above yourself.");
  });
});

describe("consent flow in manual mode", () => {
  function manual(consentApp: ConsentFlowOptions["app"], paste: (redirect: string) => string = (r) => r): Run {
    const browser = formBrowser({ followRedirect: false });
    const run = flow(consentApp, {}, { mode: "manual" });
    let authorizeUrl = "";
    run.options = {
      ...run.options,
      openBrowser: undefined,
      output: (line) => {
        run.lines.push(line);
        if (line.startsWith(emulator.loginUrl)) authorizeUrl = line;
      },
      input: async () => {
        await browser.open(authorizeUrl);
        return `  ${paste(browser.redirects[0] ?? "")}\n`;
      },
    };
    return run;
  }

  it("exchanges the code in the URL the person pastes, with an https redirect URI and no listener", async () => {
    const web = await app("web", ["https://reports.example.com/xero/callback"]);
    const result = await runConsentFlow(manual(web).options);
    expect(result.redirectUri).toBe("https://reports.example.com/xero/callback");
    expect(result.identity.familyName).toBe("Lovelace");
  });

  it("tells the person what to paste", async () => {
    const pkce = await app("pkce");
    const run = manual(pkce);
    await runConsentFlow(run.options);
    expect(run.lines).toContain("Paste that whole address here:");
  });

  it("rejects a pasted URL to another address without repeating its code", async () => {
    const web = await app("web", ["https://reports.example.com/xero/callback"]);
    const error = await rejection(runConsentFlow(manual(web, (r) => r.replace("reports.example.com", "evil.example.com")).options));
    expect(error).toBeInstanceOf(XeroRedirectUrlError);
    expect((error as Error).message).toBe(
      "The pasted URL goes to https://evil.example.com/xero/callback, not to https://reports.example.com/xero/callback. " +
        "Paste the address your browser shows after you allow access; it starts with https://reports.example.com/xero/callback?",
    );
  });
});

describe("consent flow failures", () => {
  it("rejects a redirect whose state is not the one sent, exchanging nothing", async () => {
    const web = await app("web");
    await emulator.admin.clearRequests();
    const error = await rejection(runConsentFlow(flow(web, { rewriteUrl: (url) => url.searchParams.set("state", "forged-state") }).options));
    expect(error).toBeInstanceOf(XeroStateMismatchError);
    expect((error as XeroStateMismatchError).code).toBe("XERO_STATE_MISMATCH");
    expect((await emulator.admin.requests()).filter((entry) => entry.path.endsWith("/connect/token"))).toEqual([]);
  });

  it("rejects an id token whose nonce is not the one sent", async () => {
    const web = await app("web");
    const error = await rejection(runConsentFlow(flow(web, { rewriteUrl: (url) => url.searchParams.set("nonce", "injected-nonce") }).options));
    expect(error).toBeInstanceOf(XeroTokenVerificationError);
    expect((error as XeroTokenVerificationError).context).toMatchObject({ joseCode: "nonce_mismatch", token: "id token" });
    expect((error as Error).message).not.toContain("injected-nonce");
  });

  it("rejects an id token whose claims were changed after Xero signed it", async () => {
    const pkce = await app("pkce");
    const real = axiosTransport();
    const tampering: HttpTransport = async (request) => {
      const response = await real(request);
      if (!request.url.endsWith("/connect/token") || response.status !== 200) return response;
      const body = JSON.parse(response.bodyText) as { id_token: string };
      const [header, payload, signature] = body.id_token.split(".");
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, email: "mallory@example.com" })).toString("base64url");
      return { ...response, bodyText: JSON.stringify({ ...body, id_token: `${header}.${forged}.${signature}` }) };
    };
    const error = await rejection(runConsentFlow(flow(pkce, {}, { client: { env: emulatorEnv(emulator), http: tampering } }).options));
    expect(error).toBeInstanceOf(XeroTokenVerificationError);
    expect((error as XeroTokenVerificationError).context).toMatchObject({ joseCode: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", token: "id token" });
    expect((error as Error).message).toMatch(/^The id token failed verification against issuer .*: its signature does not match the issuer's keys\./);
  });

  it("rejects an id token that has expired by the injected clock", async () => {
    const web = await app("web");
    const anHourAhead = { now: () => new Date(Date.now() + 60 * 60 * 1000) };
    const error = await rejection(runConsentFlow(flow(web, {}, { client: { env: emulatorEnv(emulator), clock: anHourAhead } }).options));
    expect((error as XeroTokenVerificationError).context).toMatchObject({ joseCode: "ERR_JWT_EXPIRED", token: "id token" });
  });

  it("reports a declined consent as access_denied with what to do", async () => {
    const web = await app("web");
    const error = await rejection(runConsentFlow(flow(web, { decision: "deny" }).options));
    expect(error).toBeInstanceOf(XeroAuthorizeRedirectError);
    expect(error).toMatchObject({ code: "XERO_AUTHORIZE_REFUSED", error: "access_denied" });
    expect((error as Error).message).toBe('Consent was declined in Xero (access_denied): nothing was connected. Run the consent again and choose "Allow access".');
  });

  it("names the exact URI to register when the app has no loopback redirect URI, before any request", async () => {
    const web = await app("web", ["https://reports.example.com/xero/callback"]);
    await emulator.admin.clearRequests();
    const error = await rejection(runConsentFlow(flow(web).options));
    expect(error).toBeInstanceOf(XeroNoLoopbackRedirectUriError);
    expect(error).toMatchObject({ code: "XERO_NO_LOOPBACK_REDIRECT_URI", redirectUriToAdd: "http://localhost:8765/callback" });
    expect((error as Error).message).toBe(
      `App ${web.clientId} has no loopback redirect URI (it has only https://reports.example.com/xero/callback), so the consent cannot come back to this machine. ` +
        "Add http://localhost:8765/callback to the app's redirect URIs in the Xero developer portal (https://developer.xero.com/app/manage) " +
        "and to redirectUris in its registration, then deploy and run the consent again; or use --manual to paste the URL you are redirected to.",
    );
    expect(await emulator.admin.requests()).toEqual([]);
  });
});

describe("consent flow waiting", () => {
  it("ends the wait with the signal's reason and stops listening", async () => {
    const web = await app("web");
    const controller = new AbortController();
    const run = flow(web, {}, {
      openBrowser: undefined,
      signal: controller.signal,
      output: (line) => {
        if (line.startsWith("Waiting")) controller.abort(new Error("interrupted"));
      },
    });
    const error = await rejection(runConsentFlow(run.options));
    expect(error.message).toBe("interrupted");
    await expect(fetch(`${web.redirectUris[0] ?? ""}?code=x&state=y`)).rejects.toThrow();
  });

  it("gives up with XeroConsentTimeoutError when nobody comes back", async () => {
    const web = await app("web");
    const error = await rejection(runConsentFlow(flow(web, {}, { openBrowser: undefined, timeoutMs: 1 }).options));
    expect(error).toBeInstanceOf(XeroConsentTimeoutError);
    expect(error.message).toBe(`No redirect reached ${web.redirectUris[0] ?? ""} within 0 s. Run the consent again, or use --manual on a machine without a browser.`);
  });
});
