import { inspect } from "node:util";
import { fingerprint, REDACTED, Redactor, ScrubbedError } from "../../providers/xero/redact";

const secret = "Zq8-client-secret-ABCDEFGHIJ";
const refreshToken = "a1b2c3d4e5f6refreshtokenvalue";

describe("Redactor.text", () => {
  const redactor = new Redactor([secret, refreshToken]);

  it("replaces a registered secret wherever it appears", () => {
    expect(redactor.text(`secret is ${secret}!`)).toBe(`secret is ${REDACTED}!`);
  });

  it("replaces Basic and Bearer credentials it was never told about", () => {
    expect(new Redactor().text("Authorization: Basic QUJDOkRFRg== and Bearer abc.def-ghi"))
      .toBe(`Authorization: Basic ${REDACTED} and Bearer ${REDACTED}`);
  });

  it("replaces JWT-shaped strings", () => {
    expect(new Redactor().text("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln end")).toBe(`token ${REDACTED} end`);
  });

  it("replaces credential fields of a form body and keeps the others", () => {
    expect(new Redactor().text("grant_type=refresh_token&refresh_token=XYZ123&client_id=ABC&client_secret=s&code=c1"))
      .toBe(`grant_type=refresh_token&refresh_token=${REDACTED}&client_id=ABC&client_secret=${REDACTED}&code=${REDACTED}`);
  });

  it("replaces credential fields of a JSON body", () => {
    expect(new Redactor().text('{"access_token":"opaque","expires_in":1800,"refresh_token" : "r\\"x"}'))
      .toBe(`{"access_token":"${REDACTED}","expires_in":1800,"refresh_token" : "${REDACTED}"}`);
  });

  it("leaves short registered values alone rather than mangling ordinary text", () => {
    expect(new Redactor(["ab"]).text("about a cab")).toBe("about a cab");
  });
});

describe("Redactor.value", () => {
  it("blanks sensitive keys at any depth, whatever their casing", () => {
    const out = new Redactor().value({
      headers: { Authorization: "Basic x", "Content-Type": "text/plain" },
      data: { clientSecret: "x", refresh_token: "y", nested: [{ accessToken: "z", keep: 1 }] },
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, "Content-Type": "text/plain" },
      data: { clientSecret: REDACTED, refresh_token: REDACTED, nested: [{ accessToken: REDACTED, keep: 1 }] },
    });
  });

  it("survives cycles", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop["self"] = loop;
    expect(new Redactor().value(loop)).toEqual({ a: 1, self: "[…]" });
  });
});

describe("Redactor.error", () => {
  it("keeps name, code and a redacted message, and drops config, request and response", () => {
    const axiosLike = Object.assign(new Error(`Request failed: refresh_token=${refreshToken}`), {
      name: "AxiosError",
      code: "ECONNRESET",
      config: { headers: { Authorization: `Basic ${Buffer.from(`id:${secret}`).toString("base64")}` }, data: `refresh_token=${refreshToken}` },
      request: { _header: `POST /connect/token\r\nAuthorization: Basic abc` },
      response: { data: { access_token: "t" } },
    });
    const scrubbed = new Redactor([secret, refreshToken]).error(axiosLike);
    expect(scrubbed).toBeInstanceOf(ScrubbedError);
    expect(scrubbed.name).toBe("AxiosError");
    expect(scrubbed.code).toBe("ECONNRESET");
    expect(scrubbed.message).toBe(`Request failed: refresh_token=${REDACTED}`);
    expect(Object.keys(scrubbed).sort()).toEqual(["code", "name"]);
    const printed = inspect(scrubbed, { depth: Infinity, showHidden: true });
    expect(printed).not.toContain(refreshToken);
    expect(printed).not.toContain(secret);
  });

  it("scrubs the cause chain too", () => {
    const inner = new Error(`inner ${secret}`);
    const outer = new Error("outer", { cause: inner });
    const scrubbed = new Redactor([secret]).error(outer);
    expect((scrubbed.cause as Error).message).toBe(`inner ${REDACTED}`);
  });

  it("turns a thrown non-error into a scrubbed error", () => {
    expect(new Redactor([secret]).error(`oops ${secret}`).message).toBe(`oops ${REDACTED}`);
  });
});

describe("fingerprint", () => {
  it("names a secret by a short sha256 prefix that does not contain it", () => {
    expect(fingerprint("abc")).toBe("sha256:ba7816bf8f01");
  });
});
