import { startEmulator, type RunningEmulator } from "../../emulator";
import { createWebApp, get, pkcePair, postForm, REDIRECT_URI, startFixture, type Fixture } from "./helpers";

let fixture: Fixture;
let app: { clientId: string; clientSecret: string };
beforeAll(async () => {
  fixture = await startFixture();
  app = await createWebApp(fixture);
});
afterAll(async () => {
  await fixture.emulator.close();
});

function authorizeUrl(base: string, params: Record<string, string>): string {
  const url = new URL(`${base}/identity/connect/authorize`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

const valid = (clientId: string): Record<string, string> => ({
  response_type: "code",
  client_id: clientId,
  redirect_uri: REDIRECT_URI,
  scope: "openid accounting.invoices",
  state: "xyz",
});

describe("authorize validation errors show an error page and never redirect", () => {
  it("shows unauthorized_client for an unknown client id", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), client_id: "00000000000000000000000000000000" }));
    expect(result.status).toBe(400);
    expect(result.headers.get("location")).toBeNull();
    expect(result.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(result.text).toContain('<code id="error">unauthorized_client</code>');
  });

  it("shows invalid_request for a redirect URI that is not registered", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), redirect_uri: "https://evil.example/callback" }));
    expect(result.status).toBe(400);
    expect(result.headers.get("location")).toBeNull();
    expect(result.text).toContain('<code id="error">invalid_request</code>');
    expect(result.text).toContain("Invalid redirect_uri: https://evil.example/callback");
  });

  it("matches redirect URIs exactly, so a trailing slash is a different URI", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), redirect_uri: `${REDIRECT_URI}/` }));
    expect(result.status).toBe(400);
    expect(result.headers.get("location")).toBeNull();
  });

  it("matches redirect URIs exactly, so a change of case is a different URI", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), redirect_uri: REDIRECT_URI.replace("callback", "Callback") }));
    expect(result.status).toBe(400);
  });

  it("shows invalid_scope for a scope Xero does not know", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), scope: "openid accounting.everything" }));
    expect(result.status).toBe(400);
    expect(result.headers.get("location")).toBeNull();
    expect(result.text).toContain('<code id="error">invalid_scope</code>');
  });

  it("shows invalid_scope for an API scope the app was not registered with", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), scope: "openid payroll.employees" }));
    expect(result.status).toBe(400);
    expect(result.text).toContain("Invalid scope for this client: payroll.employees");
  });

  it("shows invalid_scope when no scope is requested", async () => {
    const { scope: _omitted, ...rest } = valid(app.clientId);
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, rest));
    expect(result.status).toBe(400);
    expect(result.text).toContain('<code id="error">invalid_scope</code>');
  });

  it("shows unauthorized_client for a Custom Connection, which has no authorize flow", async () => {
    const cc = await fixture.emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices"] });
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(cc.clientId), redirect_uri: REDIRECT_URI }));
    expect(result.status).toBe(400);
    expect(result.text).toContain('<code id="error">unauthorized_client</code>');
  });
});

describe("authorize errors after the redirect URI is trusted go back to it", () => {
  it("redirects unsupported_response_type with the state", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), response_type: "token" }));
    expect(result.status).toBe(302);
    const location = new URL(result.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("unsupported_response_type");
    expect(location.searchParams.get("state")).toBe("xyz");
  });

  it("rejects the plain PKCE method with invalid_request", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), code_challenge: pkcePair().verifier, code_challenge_method: "plain" }));
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("treats a code_challenge without a method as plain and rejects it", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(app.clientId), code_challenge: pkcePair().challenge }));
    expect(new URL(result.headers.get("location") ?? "").searchParams.get("error")).toBe("invalid_request");
  });

  it("requires a code_challenge from a PKCE app", async () => {
    const pkce = await fixture.emulator.admin.createApp({ kind: "pkce", name: "Desktop", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, valid(pkce.clientId)));
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toBe("code challenge required");
  });
});

describe("auto-consent", () => {
  it("redirects at once with a code, the granted scope and the state", async () => {
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, valid(app.clientId)));
    expect(result.status).toBe(302);
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toMatch(/^[0-9A-F]{64}$/);
    expect(location.searchParams.get("scope")).toBe("openid accounting.invoices");
    expect(location.searchParams.get("state")).toBe("xyz");
  });

  it("keeps a query the registered redirect URI already has", async () => {
    const withQuery = "https://app.example.com/cb?tenant=1";
    const other = await fixture.emulator.admin.createApp({ kind: "web", name: "q", scopes: ["accounting.invoices"], redirectUris: [withQuery] });
    const result = await get(authorizeUrl(fixture.emulator.loginUrl, { ...valid(other.clientId), redirect_uri: withQuery }));
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("tenant")).toBe("1");
    expect(location.searchParams.get("code")).not.toBeNull();
  });

});

describe("a browser nobody is signed into", () => {
  for (const autoConsent of [true, false]) {
    it(`is sent to the sign-in page with the request as its ReturnUrl when the request is valid (autoConsent ${String(autoConsent)})`, async () => {
      const emulator = await startEmulator({ autoConsent });
      try {
        const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
        const result = await get(authorizeUrl(emulator.loginUrl, valid(web.clientId)));
        expect(result.status).toBe(302);
        const location = new URL(result.headers.get("location") ?? "");
        expect(`${location.origin}${location.pathname}`).toBe(`${emulator.loginUrl}/identity/user/login`);
        const returnUrl = new URL(location.searchParams.get("ReturnUrl") ?? "", emulator.loginUrl);
        expect(`${returnUrl.origin}${returnUrl.pathname}`).toBe(`${emulator.loginUrl}/identity/connect/authorize`);
        expect(returnUrl.searchParams.get("state")).toBe("xyz");
        const signIn = await get(location.toString());
        expect(signIn.status).toBe(200);
        expect(signIn.text).toContain("Log in to Xero");
      } finally {
        await emulator.close();
      }
    });
  }

  it("still gets the error page, not the sign-in page, for a redirect URI the app does not have", async () => {
    const emulator = await startEmulator({ autoConsent: true });
    try {
      const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const result = await get(authorizeUrl(emulator.loginUrl, { ...valid(web.clientId), redirect_uri: `${REDIRECT_URI}/` }));
      expect(result.status).toBe(400);
      expect(result.text).toContain(`Invalid redirect_uri: ${REDIRECT_URI}/`);
    } finally {
      await emulator.close();
    }
  });
});

describe("authorizeErrorResponse: redirect (OPEN: IdentityServer's default)", () => {
  it("sends a refused request to the emulator's error page, which names the error, and never to the client's redirect URI", async () => {
    const emulator = await startEmulator({ authorizeErrorResponse: "redirect" });
    try {
      const web = await emulator.admin.createApp({ kind: "web", name: "w", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] });
      const result = await get(authorizeUrl(emulator.loginUrl, { ...valid(web.clientId), scope: "openid payroll.employees" }));
      expect(result.status).toBe(302);
      const location = new URL(result.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(`${emulator.loginUrl}/identity/error`);
      expect(location.searchParams.get("state")).toBeNull();
      const page = await get(location.toString());
      expect(page.status).toBe(200);
      expect(page.text).toContain('<code id="error">invalid_scope</code>');
      expect(page.text).toContain("Invalid scope for this client: payroll.employees");
    } finally {
      await emulator.close();
    }
  });

  it("is refused as an option value other than page or redirect", async () => {
    await expect(startEmulator({ authorizeErrorResponse: "html" as "page" })).rejects.toThrow('emulator option authorizeErrorResponse must be "page" or "redirect", got html');
  });
});

describe("the consent page (autoConsent false)", () => {
  let emulator: RunningEmulator;
  let clientId: string;
  let userId: string;
  let tenantId: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    clientId = (await emulator.admin.createApp({ kind: "web", name: "Reporting <App>", scopes: ["accounting.invoices"], redirectUris: [REDIRECT_URI] })).clientId;
    userId = (await emulator.admin.createUser({ email: "grace@example.com" })).userId;
    tenantId = (await emulator.admin.createOrg({ name: "Demo Company" })).tenantId;
    // The browser is signed in: a browser nobody is signed into is sent to the sign-in page instead.
    await emulator.admin.consent({ userId, tenantIds: [tenantId] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  function consentForm(decision: string): Record<string, string> {
    return { ...valid(clientId), user_id: userId, tenant_id: tenantId, decision };
  }

  it("shows an HTML page naming the app, its scopes and a form posting to the consent URL", async () => {
    const result = await get(authorizeUrl(emulator.loginUrl, valid(clientId)));
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(result.text).toContain("Reporting &#60;App&#62; wants access to your Xero data");
    expect(result.text).toContain("<li>accounting.invoices</li>");
    expect(result.text).toContain(`action="${emulator.loginUrl}/identity/connect/consent"`);
    expect(result.text).toContain(`value="${tenantId}"`);
  });

  it("redirects with a code when the form is posted with allow", async () => {
    const result = await postForm(`${emulator.loginUrl}/identity/connect/consent`, consentForm("allow"));
    expect(result.status).toBe(302);
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toMatch(/^[0-9A-F]{64}$/);
    expect(location.searchParams.get("state")).toBe("xyz");
  });

  it("redirects with access_denied when the user cancels", async () => {
    const result = await postForm(`${emulator.loginUrl}/identity/connect/consent`, consentForm("deny"));
    const location = new URL(result.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("xyz");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("validates the posted authorize parameters again instead of trusting the form", async () => {
    const result = await postForm(`${emulator.loginUrl}/identity/connect/consent`, { ...consentForm("allow"), redirect_uri: "https://evil.example/cb" });
    expect(result.status).toBe(400);
    expect(result.headers.get("location")).toBeNull();
  });
});
