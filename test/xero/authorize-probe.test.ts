import { judgeAgainstControl, readAuthorizeAnswer } from "../../providers/xero/authorize-probe";
import type { RawResponse } from "../../providers/xero/http";

/** providers/xero/authorize-probe.ts: reading an authorize answer without depending on Xero's sign-in or error URLs. */

const AUTHORIZE = "https://login.xero.com/identity/connect/authorize?client_id=X";
const REDIRECT_URI = "https://portal.example.com/xero/callback";
const redirect = (location: string): RawResponse => ({ status: 302, headers: { location }, bodyText: "" });
const page = (status: number, bodyText: string): RawResponse => ({ status, headers: { "content-type": "text/html" }, bodyText });

describe("reading an authorize answer", () => {
  it("reads an answer that is not a redirect as the error page, naming the OAuth error the page shows", () => {
    expect(readAuthorizeAnswer(page(400, "<p>Error code: invalid_scope</p>"), AUTHORIZE, REDIRECT_URI)).toEqual({
      kind: "refused",
      error: "invalid_scope",
      description: undefined,
      answer: "its error page (HTTP 400)",
    });
  });

  it("reads a 200 page as the error page too, since a valid request from nobody is always redirected", () => {
    expect(readAuthorizeAnswer(page(200, "<h1>Sorry, something went wrong</h1>"), AUTHORIZE, REDIRECT_URI)).toMatchObject({ kind: "refused", error: undefined });
  });

  it("reads a redirect to the redirect URI with an error as refused with that error", () => {
    expect(readAuthorizeAnswer(redirect(`${REDIRECT_URI}?error=invalid_request&error_description=code%20challenge%20required&state=s`), AUTHORIZE, REDIRECT_URI)).toEqual({
      kind: "refused",
      error: "invalid_request",
      description: "code challenge required",
      answer: "a redirect to the redirect URI with error=invalid_request",
    });
  });

  it("reads a redirect to the redirect URI with a code as accepted", () => {
    expect(readAuthorizeAnswer(redirect(`${REDIRECT_URI}?code=C&state=s`), AUTHORIZE, REDIRECT_URI)).toEqual({ kind: "accepted" });
  });

  it("leaves any other redirect, relative ones resolved, to the control request", () => {
    expect(readAuthorizeAnswer(redirect("/identity/user/login?ReturnUrl=%2Fx"), AUTHORIZE, REDIRECT_URI)).toEqual({
      kind: "needs-control",
      location: "https://login.xero.com/identity/user/login",
    });
  });
});

describe("judging a redirect against the control request", () => {
  it("takes a redirect to where the control went as the error page", () => {
    expect(judgeAgainstControl("https://login.xero.com/home/error", redirect("/home/error?errorId=abc"), AUTHORIZE)).toEqual({
      kind: "refused",
      error: undefined,
      description: undefined,
      answer: "a redirect to its error page (https://login.xero.com/home/error)",
    });
  });

  it("takes a redirect elsewhere as the sign-in page when the control was redirected to an error page", () => {
    expect(judgeAgainstControl("https://login.xero.com/identity/user/login", redirect("/home/error?errorId=abc"), AUTHORIZE)).toEqual({ kind: "accepted" });
  });

  it("takes any redirect as the sign-in page when the control got the error page itself", () => {
    expect(judgeAgainstControl("https://login.xero.com/identity/user/login", page(400, "invalid_request"), AUTHORIZE)).toEqual({ kind: "accepted" });
  });
});
