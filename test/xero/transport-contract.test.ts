import { inspect } from "node:util";
import { axiosTransport, TransportFailure, type HttpTransport } from "../../providers/xero/http";
import { nodeHttpTransport } from "../../providers/xero/node-http-transport";
import { closedPort, failure, SECRET_BODY, SECRET_HEADER, useTransportServer } from "./support/transport-server";

/**
 * The contract every HttpTransport keeps, whichever sends the request: axios (the default, and the
 * one behind a proxy) or Node's own http module (drift's runs), against a real loopback server.
 */
const server = useTransportServer();

describe.each<[string, () => HttpTransport]>([
  ["axiosTransport", axiosTransport],
  ["nodeHttpTransport", nodeHttpTransport],
])("%s", (_name, transport) => {
  it("returns any status with lower-case headers and the body as text", async () => {
    server.handle((_req, res) => {
      res.writeHead(400, { "Content-Type": "application/json", "Xero-Correlation-Id": "c-1" });
      res.end('{"error":"invalid_grant","name":"Zoë"}');
    });
    const response = await transport()(server.request("/connect/token"));
    expect(response).toEqual({
      status: 400,
      headers: expect.objectContaining({ "content-type": "application/json", "xero-correlation-id": "c-1" }),
      bodyText: '{"error":"invalid_grant","name":"Zoë"}',
    });
  });

  it("sends the method, headers and body unchanged, with the body's length in bytes", async () => {
    let seen = "";
    server.handle((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen = `${req.method} ${req.url} ${req.headers["authorization"]} ${req.headers["content-length"]} ${body}`;
        res.end("{}");
      });
    });
    const body = `${SECRET_BODY}&name=Zoë`;
    await transport()({ ...server.request("/x?y=1"), body });
    expect(seen).toBe(`POST /x?y=1 ${SECRET_HEADER} ${Buffer.byteLength(body)} ${body}`);
  });

  it("sends a GET without a body", async () => {
    let seen = "";
    server.handle((req, res) => {
      seen = `${req.method} ${String(req.headers["content-length"])} ${String(req.headers["transfer-encoding"])}`;
      res.end("[]");
    });
    const response = await transport()({ method: "GET", url: `${server.baseUrl}/connections`, headers: { accept: "application/json" }, timeoutMs: 5000 });
    expect([seen, response.bodyText]).toEqual(["GET undefined undefined", "[]"]);
  });

  it("follows no redirect: a 302 is returned as it is", async () => {
    server.handle((_req, res) => {
      res.writeHead(302, { location: `${server.baseUrl}/elsewhere` });
      res.end();
    });
    const response = await transport()(server.request("/identity.xero.com/connect/authorize"));
    expect([response.status, response.headers["location"]]).toEqual([302, `${server.baseUrl}/elsewhere`]);
  });

  it("classifies a refused connection as connect (never sent)", async () => {
    const error = await failure(transport()({ ...server.request(""), url: `http://127.0.0.1:${await closedPort()}/connect/token` }));
    expect([error instanceof TransportFailure, error.kind, error.maybeSent]).toEqual([true, "connect", false]);
  });

  it("classifies a connection dropped after the request as reset (maybe sent)", async () => {
    server.handle((req) => req.on("data", () => req.socket.destroy()));
    const error = await failure(transport()(server.request("/connect/token")));
    expect([error.kind, error.maybeSent]).toEqual(["reset", true]);
  });

  it("joins a header sent more than once", async () => {
    server.handle((_req, res) => {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end("{}");
    });
    const response = await transport()(server.request("/connect/token"));
    expect(response.headers["set-cookie"]).toBe("a=1, b=2");
  });

  it("classifies a connection dropped in the middle of the answer as reset", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write('{"access_token":');
      setImmediate(() => res.socket?.destroy());
    });
    const error = await failure(transport()(server.request("/connect/token")));
    expect([error.kind, error.maybeSent]).toEqual(["reset", true]);
  });

  it("classifies an answer that has begun but not ended by the deadline as timeout", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("{");
    });
    const error = await failure(transport()(server.request("/connect/token", 150)));
    expect(error.kind).toBe("timeout");
  });

  it("classifies no answer before the deadline as timeout", async () => {
    server.handle(() => undefined);
    const error = await failure(transport()(server.request("/connect/token", 150)));
    expect([error.kind, error.message]).toEqual(["timeout", `POST ${server.baseUrl}/connect/token: no answer within 150 ms`]);
  });

  it("scrubs the error it wraps: no header or body survives", async () => {
    server.handle((req) => req.on("data", () => req.socket.destroy()));
    const error = await failure(transport()(server.request("/connect/token")));
    const printed = inspect(error, { depth: Infinity, showHidden: true });
    expect(printed).not.toContain("very-secret-value");
    expect(printed).not.toContain(SECRET_HEADER.slice(6));
    expect(printed).not.toContain("refresh-secret-value-123");
  });
});
