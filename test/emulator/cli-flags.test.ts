import { emulatorOptionsFromFlags } from "../../cli/commands/emulator";

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
});
