import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { TransportFailure, type HttpRequest } from "../../providers/xero/http";
import { nodeHttpTransport, transportForEnvironment } from "../../providers/xero/node-http-transport";

/** The same contract as axiosTransport's (http.test.ts), over Node's own http module, against a real loopback server. */
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

describe("nodeHttpTransport", () => {
  it("returns any status with lower-case headers and the body as text", async () => {
    handler = (_req, res) => {
      res.writeHead(400, { "Content-Type": "application/json", "Xero-Correlation-Id": "c-1" });
      res.end('{"error":"invalid_grant","name":"Zoë"}');
    };
    const response = await nodeHttpTransport()(request("/connect/token"));
    expect(response).toEqual({
      status: 400,
      headers: expect.objectContaining({ "content-type": "application/json", "xero-correlation-id": "c-1" }),
      bodyText: '{"error":"invalid_grant","name":"Zoë"}',
    });
  });

  it("sends the method, headers and body unchanged, with the body's length in bytes", async () => {
    let seen = "";
    handler = (req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen = `${req.method} ${req.url} ${req.headers["authorization"]} ${req.headers["content-length"]} ${body}`;
        res.end("{}");
      });
    };
    await nodeHttpTransport()({ ...request("/x?y=1"), body: `${SECRET_BODY}&name=Zoë` });
    expect(seen).toBe(`POST /x?y=1 ${SECRET_HEADER} ${Buffer.byteLength(`${SECRET_BODY}&name=Zoë`)} ${SECRET_BODY}&name=Zoë`);
  });

  it("sends a GET without a body", async () => {
    let seen = "";
    handler = (req, res) => {
      seen = `${req.method} ${String(req.headers["content-length"])} ${String(req.headers["transfer-encoding"])}`;
      res.end("[]");
    };
    const response = await nodeHttpTransport()({ method: "GET", url: `${baseUrl}/connections`, headers: { accept: "application/json" }, timeoutMs: 5000 });
    expect([seen, response.bodyText]).toEqual(["GET undefined undefined", "[]"]);
  });

  it("follows no redirect: a 302 is returned as it is", async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: `${baseUrl}/elsewhere` });
      res.end();
    };
    const response = await nodeHttpTransport()(request("/identity.xero.com/connect/authorize"));
    expect([response.status, response.headers["location"]]).toEqual([302, `${baseUrl}/elsewhere`]);
  });

  it("joins a header sent more than once", async () => {
    handler = (_req, res) => {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end("{}");
    };
    const response = await nodeHttpTransport()(request("/connect/token"));
    expect(response.headers["set-cookie"]).toBe("a=1, b=2");
  });

  it("classifies a refused connection as connect (never sent)", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(nodeHttpTransport()({ ...request(""), url: `http://127.0.0.1:${port}/connect/token` }));
    expect([error instanceof TransportFailure, error.kind, error.maybeSent]).toEqual([true, "connect", false]);
  });

  it("classifies a connection dropped after the request as reset (maybe sent)", async () => {
    handler = (req) => req.on("data", () => req.socket.destroy());
    const error = await failure(nodeHttpTransport()(request("/connect/token")));
    expect([error.kind, error.maybeSent]).toEqual(["reset", true]);
  });

  it("classifies a connection dropped in the middle of the answer as reset", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write('{"access_token":');
      setImmediate(() => res.socket?.destroy());
    };
    const error = await failure(nodeHttpTransport()(request("/connect/token")));
    expect([error.kind, error.maybeSent]).toEqual(["reset", true]);
  });

  it("classifies no answer before the deadline as timeout", async () => {
    handler = () => undefined;
    const error = await failure(nodeHttpTransport()(request("/connect/token", 150)));
    expect([error.kind, error.message]).toEqual(["timeout", `POST ${baseUrl}/connect/token: no answer within 150 ms`]);
  });

  it("classifies an answer that has begun but not ended by the deadline as timeout", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("{");
    };
    const error = await failure(nodeHttpTransport()(request("/connect/token", 150)));
    expect(error.kind).toBe("timeout");
  });

  it("refuses a request Node cannot build as a transport failure, sending nothing", async () => {
    let requests = 0;
    handler = (_req, res) => {
      requests++;
      res.end("{}");
    };
    const error = await failure(nodeHttpTransport()({ ...request("/connect/token"), headers: { "x-bad": "line\nbreak" } }));
    expect([error instanceof TransportFailure, requests]).toEqual([true, 0]);
  });

  it("scrubs the error it wraps: no header or body survives", async () => {
    handler = (req) => req.on("data", () => req.socket.destroy());
    const error = await failure(nodeHttpTransport()(request("/connect/token")));
    const printed = inspect(error, { depth: Infinity, showHidden: true });
    expect(printed).toContain("socket hang up");
    expect(printed).not.toContain("very-secret-value");
    expect(printed).not.toContain(SECRET_HEADER.slice(6));
    expect(printed).not.toContain("refresh-secret-value-123");
  });

  it("reuses one connection for requests one after another", async () => {
    const ports = new Set<number>();
    handler = (req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end("{}");
    };
    const transport = nodeHttpTransport();
    for (let i = 0; i < 3; i++) await transport({ method: "GET", url: `${baseUrl}/connections`, headers: {}, timeoutMs: 5000 });
    expect(ports.size).toBe(1);
  });
});

describe("transportForEnvironment", () => {
  /** A forward proxy on loopback: it answers every request itself and records the URL asked for. */
  async function withProxy(run: (proxyUrl: string, asked: string[]) => Promise<void>): Promise<void> {
    const asked: string[] = [];
    const proxy = createServer((req, res) => {
      asked.push(req.url ?? "");
      res.end('{"via":"proxy"}');
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    // axios reads the proxy from the process's own environment; the transport is chosen from the injected one.
    const saved = { HTTP_PROXY: process.env["HTTP_PROXY"], NO_PROXY: process.env["NO_PROXY"], no_proxy: process.env["no_proxy"] };
    try {
      await run(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, asked);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }

  it("goes through the configured proxy (with axios, which honours it)", async () => {
    await withProxy(async (proxyUrl, asked) => {
      Object.assign(process.env, { HTTP_PROXY: proxyUrl, NO_PROXY: "", no_proxy: "" });
      const response = await transportForEnvironment({ HTTP_PROXY: proxyUrl })({ method: "GET", url: "http://api.xero.example/connections", headers: {}, timeoutMs: 5000 });
      expect([response.bodyText, asked]).toEqual(['{"via":"proxy"}', ["http://api.xero.example/connections"]]);
    });
  });

  it("goes straight to the server when no proxy is configured", async () => {
    await withProxy(async (_proxyUrl, asked) => {
      handler = (_req, res) => res.end('{"via":"direct"}');
      const response = await transportForEnvironment({ PATH: "/usr/bin" })({ method: "GET", url: `${baseUrl}/connections`, headers: {}, timeoutMs: 5000 });
      expect([response.bodyText, asked]).toEqual(['{"via":"direct"}', []]);
    });
  });
});
