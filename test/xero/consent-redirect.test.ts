import { XeroAuthorizeRedirectError, XeroNoLoopbackRedirectUriError, XeroRedirectUrlError, XeroStateMismatchError } from "../../providers/xero/consent-errors";
import {
  asLoopbackRedirectUri,
  chooseLoopbackRedirectUri,
  chooseManualRedirectUri,
  consentScopes,
  parsePastedRedirect,
  readAuthorizeRedirect,
} from "../../providers/xero/consent-redirect";
import { CLIENT_ID } from "./helpers";

const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
};

describe("loopback redirect URIs", () => {
  it("reads http://localhost with a port and path as one the flow can listen on", () => {
    expect(asLoopbackRedirectUri("http://localhost:5001/xero/cb")).toEqual({ uri: "http://localhost:5001/xero/cb", port: 5001, path: "/xero/cb" });
  });

  it("reads http://localhost without a port as port 80", () => {
    expect(asLoopbackRedirectUri("http://localhost/cb")?.port).toBe(80);
  });

  it.each(["https://localhost:5001/cb", "http://127.0.0.1:5001/cb", "http://localhost:5001/cb?x=1", "not a url"])("does not take %s", (uri) => {
    expect(asLoopbackRedirectUri(uri)).toBeUndefined();
  });

  it("chooses the first loopback redirect URI", () => {
    expect(chooseLoopbackRedirectUri({ clientId: CLIENT_ID, redirectUris: ["https://a.example/cb", "http://localhost:7001/a", "http://localhost:7002/b"] }).uri).toBe("http://localhost:7001/a");
  });

  it("chooses the loopback redirect URI on the port asked for", () => {
    expect(chooseLoopbackRedirectUri({ clientId: CLIENT_ID, redirectUris: ["http://localhost:7001/a", "http://localhost:7002/b"], port: 7002 }).uri).toBe("http://localhost:7002/b");
  });

  it("names the URI to add on the port asked for when the app has none there", () => {
    const error = thrown(() => chooseLoopbackRedirectUri({ clientId: CLIENT_ID, redirectUris: ["http://localhost:7001/a"], port: 9000 }));
    expect(error).toBeInstanceOf(XeroNoLoopbackRedirectUriError);
    expect((error as XeroNoLoopbackRedirectUriError).redirectUriToAdd).toBe("http://localhost:9000/callback");
    expect(error.message).toContain("has no loopback redirect URI on port 9000 (it has only http://localhost:7001/a)");
  });

  it("uses an https redirect URI in manual mode when the app has no loopback one", () => {
    expect(chooseManualRedirectUri({ clientId: CLIENT_ID, redirectUris: ["https://a.example/cb"] })).toBe("https://a.example/cb");
  });

  it("prefers a loopback redirect URI in manual mode", () => {
    expect(chooseManualRedirectUri({ clientId: CLIENT_ID, redirectUris: ["https://a.example/cb", "http://localhost:7001/a"] })).toBe("http://localhost:7001/a");
  });
});

describe("consent scopes", () => {
  it("asks for openid, profile and email first, then the caller's scopes once each", () => {
    expect(consentScopes(["offline_access", "email", "accounting.invoices"])).toEqual(["openid", "profile", "email", "offline_access", "accounting.invoices"]);
  });
});

describe("reading the authorize redirect", () => {
  const redirect = (query: string): URL => new URL(`http://localhost:7001/cb?${query}`);

  it("returns the code when the state matches", () => {
    expect(readAuthorizeRedirect(redirect("code=abc&state=s-1&scope=openid"), { state: "s-1" })).toEqual({ code: "abc" });
  });

  it("rejects a missing state", () => {
    expect(thrown(() => readAuthorizeRedirect(redirect("code=abc"), { state: "s-1" }))).toBeInstanceOf(XeroStateMismatchError);
  });

  it("checks the state before reporting an error, so a forged denial is a state mismatch", () => {
    expect(thrown(() => readAuthorizeRedirect(redirect("error=access_denied&state=other"), { state: "s-1" }))).toBeInstanceOf(XeroStateMismatchError);
  });

  it("reports another authorize error with Xero's description and what to check", () => {
    const error = thrown(() => readAuthorizeRedirect(redirect("error=invalid_scope&error_description=bad%20scope&state=s-1"), { state: "s-1" }));
    expect(error).toBeInstanceOf(XeroAuthorizeRedirectError);
    expect(error).toMatchObject({ error: "invalid_scope", error_description: "bad scope" });
    expect(error.message).toBe(
      "Xero's authorize endpoint refused the consent (invalid_scope: bad scope). Check the app's scopes and redirect URIs in the Xero developer portal, then run the consent again.",
    );
  });

  it("rejects a redirect with neither code nor error", () => {
    expect(thrown(() => readAuthorizeRedirect(redirect("state=s-1"), { state: "s-1" }))).toBeInstanceOf(XeroRedirectUrlError);
  });
});

describe("a pasted redirect URL", () => {
  it("is taken with surrounding whitespace", () => {
    expect(parsePastedRedirect("  http://localhost:7001/cb?code=c&state=s \n", "http://localhost:7001/cb").searchParams.get("code")).toBe("c");
  });

  it("that is not a URL is refused without repeating it", () => {
    const error = thrown(() => parsePastedRedirect("code=SECRET-CODE", "http://localhost:7001/cb"));
    expect(error).toBeInstanceOf(XeroRedirectUrlError);
    expect(error.message).not.toContain("SECRET-CODE");
  });

  it("to another path is refused", () => {
    expect(thrown(() => parsePastedRedirect("http://localhost:7001/other?code=c", "http://localhost:7001/cb"))).toBeInstanceOf(XeroRedirectUrlError);
  });
});
