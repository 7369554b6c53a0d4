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
