import { inspect } from "node:util";
import { axiosTransport, classifyFailureCode } from "../../providers/xero/http";
import { failure, SECRET_BODY, SECRET_HEADER, useTransportServer } from "./support/transport-server";

/** What only the axios transport needs proven; the contract both transports keep is transport-contract.test.ts. */
const server = useTransportServer();

describe("axiosTransport", () => {
  it("scrubs the axios error it wraps: no header, body or config survives", async () => {
    server.handle((req) => req.on("data", () => req.socket.destroy()));
    const error = await failure(axiosTransport()(server.request("/connect/token")));
    const printed = inspect(error, { depth: Infinity, showHidden: true });
    expect(printed).toContain("ECONNRESET");
    expect(printed).not.toContain("very-secret-value");
    expect(printed).not.toContain(SECRET_HEADER.slice(6));
    expect(printed).not.toContain("refresh-secret-value-123");
    expect(printed).not.toContain("config");
  });
});

describe("why scrubbing is needed", () => {
  it("a raw AxiosError carries the Authorization header and the form body", async () => {
    server.handle((req) => req.on("data", () => req.socket.destroy()));
    const axios = (await import("axios")).default;
    const raw = await axios
      .post(`${server.baseUrl}/connect/token`, SECRET_BODY, { headers: { authorization: SECRET_HEADER } })
      .catch((error: unknown) => error);
    const printed = inspect(raw, { depth: Infinity });
    expect(printed).toContain("refresh-secret-value-123");
    expect(printed).toContain(SECRET_HEADER.slice(6));
  });
});

describe("classifyFailureCode", () => {
  it("maps socket codes to failure kinds", () => {
    expect(classifyFailureCode("ECONNREFUSED", false)).toBe("connect");
    expect(classifyFailureCode("ENOTFOUND", false)).toBe("connect");
    expect(classifyFailureCode("ECONNRESET", false)).toBe("reset");
    expect(classifyFailureCode("ECONNABORTED", false)).toBe("timeout");
    expect(classifyFailureCode("ERR_SOMETHING", false)).toBe("other");
  });

  it("calls anything after the deadline a timeout, whatever its code", () => {
    expect(classifyFailureCode("ERR_CANCELED", true)).toBe("timeout");
  });
});
