import { ConfigError } from "../../providers/errors";
import { endpointsFromEnv, resolveEndpoints, XERO_ENDPOINTS, xeroUrls } from "../../providers/xero/endpoints";

describe("endpoints", () => {
  it("defaults to real Xero", () => {
    expect(resolveEndpoints()).toEqual({
      loginUrl: "https://login.xero.com",
      identityUrl: "https://identity.xero.com",
      apiUrl: "https://api.xero.com",
    });
  });

  it("reads XERO_LOGIN_URL, XERO_IDENTITY_URL and XERO_API_URL, dropping trailing slashes", () => {
    expect(
      endpointsFromEnv({
        XERO_LOGIN_URL: "http://127.0.0.1:1/login/",
        XERO_IDENTITY_URL: "http://127.0.0.1:1/identity",
        XERO_API_URL: "http://127.0.0.1:1/api",
      }),
    ).toEqual({
      loginUrl: "http://127.0.0.1:1/login",
      identityUrl: "http://127.0.0.1:1/identity",
      apiUrl: "http://127.0.0.1:1/api",
    });
  });

  it("refuses a bad URL every time it is given, also after a good one for the same variable was accepted", () => {
    const bad = { XERO_IDENTITY_URL: "http://identity.example.com" };
    expect(endpointsFromEnv({ XERO_IDENTITY_URL: "https://identity.example.com/" })).toEqual({ identityUrl: "https://identity.example.com" });
    expect(() => endpointsFromEnv(bad)).toThrow(ConfigError);
    expect(() => endpointsFromEnv(bad)).toThrow(/XERO_IDENTITY_URL uses plain http:\/\/ to identity\.example\.com/);
  });

  it("names where a bad URL came from, the option or the variable, for the same value", () => {
    expect(() => resolveEndpoints({ overrides: { apiUrl: "ftp://api.example.com" } })).toThrow(/^apiUrl must be an http\(s\) base URL/);
    expect(() => endpointsFromEnv({ XERO_API_URL: "ftp://api.example.com" })).toThrow(/^XERO_API_URL must be an http\(s\) base URL/);
  });

  it("trims an option's URL as it trims a variable's", () => {
    expect(resolveEndpoints({ overrides: { apiUrl: " https://api.example.com/ " } }).apiUrl).toBe("https://api.example.com");
  });

  it("treats empty variables as unset", () => {
    expect(endpointsFromEnv({ XERO_API_URL: " " })).toEqual({});
  });

  it("lets explicit options win over the environment", () => {
    const resolved = resolveEndpoints({
      overrides: { identityUrl: "http://localhost:9/id" },
      env: { XERO_IDENTITY_URL: "http://localhost:8/id", XERO_API_URL: "http://localhost:8/api" },
    });
    expect(resolved).toEqual({ ...XERO_ENDPOINTS, identityUrl: "http://localhost:9/id", apiUrl: "http://localhost:8/api" });
  });

  it("rejects a variable that is not a URL, naming it and showing the value", () => {
    expect(() => endpointsFromEnv({ XERO_API_URL: "api.xero.com" })).toThrow(
      new ConfigError('XERO_API_URL must be an absolute http(s) URL such as https://identity.xero.com, got "api.xero.com"'),
    );
  });

  it("rejects a URL with a query", () => {
    expect(() => resolveEndpoints({ overrides: { apiUrl: "https://api.xero.com/?x=1" } })).toThrow(
      'apiUrl must be an http(s) base URL without query or fragment, got "https://api.xero.com/?x=1"',
    );
  });

  it("rejects a URL with credentials without echoing them", () => {
    let message = "";
    try {
      endpointsFromEnv({ XERO_IDENTITY_URL: "https://user:hunter22@identity.xero.com" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('XERO_IDENTITY_URL must not contain a user name or password; remove the "user:pass@" part');
  });

  it.each(["XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL"])(
    "refuses plain http to a host other than loopback in %s, naming the variable and the host",
    (name) => {
      expect(() => endpointsFromEnv({ [name]: "http://identity.example.com/identity" })).toThrow(
        new ConfigError(
          `${name} uses plain http:// to identity.example.com, which would send client secrets and tokens in cleartext; http is ` +
            "allowed only to this machine (localhost, 127.0.0.0/8, [::1], e.g. the emulator): use https://",
        ),
      );
    },
  );

  it("refuses plain http to an address outside 127.0.0.0/8 in an explicit option too", () => {
    expect(() => resolveEndpoints({ overrides: { identityUrl: "http://10.0.0.5:8080/identity" } })).toThrow(
      "identityUrl uses plain http:// to 10.0.0.5, which would send client secrets and tokens in cleartext; http is allowed only " +
        "to this machine (localhost, 127.0.0.0/8, [::1], e.g. the emulator): use https://",
    );
  });

  it("allows plain http to localhost, 127.0.0.0/8 and [::1]", () => {
    expect(
      endpointsFromEnv({ XERO_LOGIN_URL: "http://localhost:1/login", XERO_IDENTITY_URL: "http://127.8.9.10:1/identity", XERO_API_URL: "http://[::1]:1/api" }),
    ).toEqual({ loginUrl: "http://localhost:1/login", identityUrl: "http://127.8.9.10:1/identity", apiUrl: "http://[::1]:1/api" });
  });

  it("derives every URL the client calls", () => {
    expect(xeroUrls(XERO_ENDPOINTS)).toEqual({
      authorize: "https://login.xero.com/identity/connect/authorize",
      token: "https://identity.xero.com/connect/token",
      revocation: "https://identity.xero.com/connect/revocation",
      discovery: "https://identity.xero.com/.well-known/openid-configuration",
      connections: "https://api.xero.com/connections",
    });
  });
});
