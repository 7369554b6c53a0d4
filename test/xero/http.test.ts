import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { axiosTransport, classifyFailureCode, TransportFailure, type HttpRequest } from "../../providers/xero/http";

const SECRET_HEADER = `Basic ${Buffer.from("client:very-secret-value").toString("base64")}`;
const SECRET_BODY = "grant_type=refresh_token&refresh_token=refresh-secret-value-123";

let server: Server;
let baseUrl: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const request = (path: string, timeoutMs = 5000): HttpRequest => ({
  method: "POST",
  url: `${baseUrl}${path}`,
  headers: { authorization: SECRET_HEADER, "content-type": "application/x-www-form-urlencoded" },
  body: SECRET_BODY,
  timeoutMs,
});

async function failure(promise: Promise<unknown>): Promise<TransportFailure> {
  try {
    await promise;
  } catch (error) {
    return error as TransportFailure;
  }
  throw new Error("expected a transport failure");
}

describe("axiosTransport", () => {
  it("returns any status with lower-case headers and the body as text", async () => {
    handler = (_req, res) => {
      res.writeHead(400, { "Content-Type": "application/json", "Xero-Correlation-Id": "c-1" });
      res.end('{"error":"invalid_grant"}');
    };
    const response = await axiosTransport()(request("/connect/token"));
    expect(response.status).toBe(400);
    expect(response.headers["xero-correlation-id"]).toBe("c-1");
    expect(response.bodyText).toBe('{"error":"invalid_grant"}');
  });

  it("sends the method, headers and body unchanged", async () => {
    let seen = "";
    handler = (req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen = `${req.method} ${req.url} ${req.headers["authorization"]} ${body}`;
        res.end("{}");
      });
    };
    await axiosTransport()(request("/x?y=1"));
    expect(seen).toBe(`POST /x?y=1 ${SECRET_HEADER} ${SECRET_BODY}`);
  });

  it("classifies a refused connection as connect (never sent)", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(axiosTransport()({ ...request(""), url: `http://127.0.0.1:${port}/connect/token` }));
    expect(error).toBeInstanceOf(TransportFailure);
    expect(error.kind).toBe("connect");
    expect(error.maybeSent).toBe(false);
  });

  it("classifies a connection dropped after the request as reset (maybe sent)", async () => {
    handler = (req) => req.on("data", () => req.socket.destroy());
    const error = await failure(axiosTransport()(request("/connect/token")));
    expect(error.kind).toBe("reset");
    expect(error.maybeSent).toBe(true);
  });

  it("classifies no answer before the deadline as timeout", async () => {
    handler = () => undefined;
    const error = await failure(axiosTransport()(request("/connect/token", 150)));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe(`POST ${baseUrl}/connect/token: no answer within 150 ms`);
  });

  it("scrubs the axios error it wraps: no header, body or config survives", async () => {
    handler = (req) => req.on("data", () => req.socket.destroy());
    const error = await failure(axiosTransport()(request("/connect/token")));
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
    handler = (req) => req.on("data", () => req.socket.destroy());
    const axios = (await import("axios")).default;
    const raw = await axios
      .post(`${baseUrl}/connect/token`, SECRET_BODY, { headers: { authorization: SECRET_HEADER } })
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
