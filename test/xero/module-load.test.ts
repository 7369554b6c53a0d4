import { startEmulator, type RunningEmulator } from "../../emulator";

describe("module loading", () => {
  it("loads the client without jose, which only token verification needs", () => {
    jest.isolateModules(() => {
      jest.doMock("jose", () => {
        throw new Error("jose was loaded by merely importing providers/xero");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const xero = require("../../providers/xero") as typeof import("../../providers/xero");
      expect(typeof xero.XeroClient).toBe("function");
    });
  });
});

describe("the client's default transport", () => {
  let emulator: RunningEmulator;
  let app: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    emulator = await startEmulator();
    const created = await emulator.admin.createApp({ kind: "custom_connection", name: "cc", scopes: ["accounting.invoices.read"] });
    app = { clientId: created.clientId, clientSecret: created.clientSecret ?? "" };
    const { tenantId } = await emulator.admin.createOrg({ name: "Demo Company (NZ)" });
    await emulator.admin.link(app.clientId, tenantId);
  });
  afterAll(async () => {
    await emulator.close();
  });

  /** A client credentials exchange by a client made with `env`; whether axios was loaded for it. */
  async function exchangeLoadingAxios(env: Record<string, string>): Promise<boolean> {
    let loaded = false;
    await jest.isolateModulesAsync(async () => {
      jest.doMock("axios", () => {
        loaded = true;
        return jest.requireActual("axios");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { XeroClient } = require("../../providers/xero") as typeof import("../../providers/xero");
      const urls = { XERO_LOGIN_URL: emulator.loginUrl, XERO_IDENTITY_URL: emulator.identityUrl, XERO_API_URL: emulator.apiUrl };
      const tokens = await new XeroClient({ ...app, env: { ...urls, ...env } }).clientCredentials();
      expect(tokens.accessToken).not.toBe("");
    });
    return loaded;
  }

  it("is Node's http module: a token request loads no axios", async () => {
    // A proxy in this machine's own environment would rightly choose axios: none for this test.
    const proxies = Object.entries(process.env).filter(([name]) => /^(npm_config_)?((https?|all)_)?proxy$/i.test(name));
    for (const [name] of proxies) delete process.env[name];
    try {
      expect(await exchangeLoadingAxios({ PATH: "/usr/bin" })).toBe(false);
    } finally {
      Object.assign(process.env, Object.fromEntries(proxies));
    }
  });

  it("is axios when the process's environment names a proxy that the client's env leaves out, as axios takes it from there", async () => {
    const saved = { HTTPS_PROXY: process.env["HTTPS_PROXY"], NO_PROXY: process.env["NO_PROXY"] };
    Object.assign(process.env, { HTTPS_PROXY: "http://proxy.invalid:3128", NO_PROXY: "127.0.0.1,localhost" });
    try {
      expect(await exchangeLoadingAxios({ PATH: "/usr/bin" })).toBe(true);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("is axios when the client's environment names a proxy, since axios honours it and Node's http does not", async () => {
    // NO_PROXY keeps the emulator on loopback out of the proxy; axios reads both from the process's environment.
    const saved = { NO_PROXY: process.env["NO_PROXY"] };
    process.env["NO_PROXY"] = "127.0.0.1,localhost";
    try {
      expect(await exchangeLoadingAxios({ HTTPS_PROXY: "http://proxy.invalid:3128" })).toBe(true);
    } finally {
      if (saved.NO_PROXY === undefined) delete process.env["NO_PROXY"];
      else process.env["NO_PROXY"] = saved.NO_PROXY;
    }
  });
});
