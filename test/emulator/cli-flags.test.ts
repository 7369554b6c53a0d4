import { emulatorOptionsFromFlags, exposureWarning } from "../../cli/commands/emulator";

const base = { port: "0", host: "127.0.0.1", secretOverlap: true, autoConsent: false };

describe("cdktf-xero emulator flags", () => {
  it("pass --default-app-tier and --token-rate-limit through as emulator options", () => {
    expect(emulatorOptionsFromFlags({ ...base, defaultAppTier: "core", tokenRateLimit: "30" })).toMatchObject({
      defaultAppTier: "core",
      tokenRateLimitPerMinute: 30,
    });
  });

  it("leave the options unset when the flags are absent", () => {
    const options = emulatorOptionsFromFlags(base);
    for (const name of ["defaultAppTier", "tokenRateLimitPerMinute", "pkcePlainMethod", "invalidClientStatus", "customConnectionUserClaims"]) {
      expect(options).not.toHaveProperty(name);
    }
  });

  it("pass the OPEN-item flags --pkce-plain, --invalid-client-status and --custom-connection-user-claims through", () => {
    expect(emulatorOptionsFromFlags({ ...base, pkcePlain: true, invalidClientStatus: "401", customConnectionUserClaims: true })).toMatchObject({
      pkcePlainMethod: true,
      invalidClientStatus: 401,
      customConnectionUserClaims: true,
    });
  });

  it("refuse an invalid_client status other than 400 or 401, naming the flag and the value", () => {
    expect(() => emulatorOptionsFromFlags({ ...base, invalidClientStatus: "403" })).toThrow(
      "--invalid-client-status must be 400 (IdentityServer's) or 401, got 403",
    );
  });

  it("refuse an unknown tier, naming the flag, the tiers and the value", () => {
    expect(() => emulatorOptionsFromFlags({ ...base, defaultAppTier: "gold" })).toThrow(
      "--default-app-tier must be one of starter, core, plus, advanced, enterprise, uncertified, got gold",
    );
  });

  it("refuse a token rate limit that is not a positive whole number", () => {
    expect(() => emulatorOptionsFromFlags({ ...base, tokenRateLimit: "0" })).toThrow(
      "--token-rate-limit must be a whole number of requests per minute, 1 or more, got 0",
    );
  });

  it("refuse a --host that is neither an IP address nor a host name, naming the flag and the value", () => {
    expect(() => emulatorOptionsFromFlags({ ...base, host: "bad host" })).toThrow(
      '--host must be an IP address or a host name of letters, digits, "-" and "." (the interface to listen on, e.g. 127.0.0.1), got "bad host"',
    );
  });

  it("accept IPv4, IPv6 and host names as --host", () => {
    expect(["0.0.0.0", "::1", "localhost", "emulator.internal"].map((host) => emulatorOptionsFromFlags({ ...base, host }).host)).toEqual([
      "0.0.0.0",
      "::1",
      "localhost",
      "emulator.internal",
    ]);
  });
});

describe("the emulator's exposure warning", () => {
  it("says nothing for a loopback address", () => {
    expect([exposureWarning({ address: "127.0.0.1", port: 8080 }, ""), exposureWarning({ address: "::1", port: 8080 }, "")]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("warns that the unauthenticated admin API is reachable from other machines on another interface", () => {
    expect(exposureWarning({ address: "192.168.1.5", port: 8080 }, "http://192.168.1.5:8080/admin")).toBe(
      "cdktf-xero: warning: the emulator listens on 192.168.1.5:8080, not only on loopback: its admin API, which takes no " +
        "credentials and can create apps, secrets and tokens, is open to every machine that can reach this one. Use --host " +
        "127.0.0.1 (the default) unless other machines must reach it.\n",
    );
  });

  it("warns for every interface, saying the printed URLs use loopback", () => {
    const warning = exposureWarning({ address: "0.0.0.0", port: 8080 }, "http://127.0.0.1:8080/admin") ?? "";
    expect(warning).toMatch(/^cdktf-xero: warning: the emulator listens on 0\.0\.0\.0:8080 \(every interface\), not only on loopback: /);
    expect(warning).toContain(" The URLs printed (http://127.0.0.1:8080/admin, …) use loopback, which reaches it from this machine. ");
  });
});
