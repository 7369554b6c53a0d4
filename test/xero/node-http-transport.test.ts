import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { TransportFailure } from "../../providers/xero/http";
import { nodeHttpTransport, transportForEnvironment } from "../../providers/xero/node-http-transport";
import { failure, useTransportServer } from "./support/transport-server";

/** What only Node's http transport needs proven; the contract both transports keep is transport-contract.test.ts. */
const server = useTransportServer();

describe("nodeHttpTransport", () => {
  it("refuses a request Node cannot build as a transport failure, sending nothing", async () => {
    let requests = 0;
    server.handle((_req, res) => {
      requests++;
      res.end("{}");
    });
    const error = await failure(nodeHttpTransport()({ ...server.request("/connect/token"), headers: { "x-bad": "line\nbreak" } }));
    expect([error instanceof TransportFailure, requests]).toEqual([true, 0]);
  });

  it("reuses one connection for requests one after another", async () => {
    const ports = new Set<number>();
    server.handle((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end("{}");
    });
    const transport = nodeHttpTransport();
    for (let i = 0; i < 3; i++) await transport({ method: "GET", url: `${server.baseUrl}/connections`, headers: {}, timeoutMs: 5000 });
    expect(ports.size).toBe(1);
  });
});

/** The variables a proxy is read from (axios's proxy-from-env). */
const PROXY_NAME = /^(npm_config_)?((https?|all)_)?proxy$/i;

describe("transportForEnvironment", () => {
  /** A forward proxy on loopback: it answers every request itself and records the URL asked for. */
  async function withProxy(run: (proxyUrl: string, asked: string[]) => Promise<void>): Promise<void> {
    const asked: string[] = [];
    const proxy = createServer((req, res) => {
      asked.push(req.url ?? "");
      res.end('{"via":"proxy"}');
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    // axios reads the proxy from the process's own environment; the transport is chosen from the
    // injected one and the process's. Every proxy variable is put back as it was.
    const touched = (name: string): boolean => PROXY_NAME.test(name) || /^no_proxy$/i.test(name);
    const saved = Object.entries(process.env).filter(([name]) => touched(name));
    try {
      await run(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, asked);
    } finally {
      for (const name of Object.keys(process.env)) if (touched(name)) delete process.env[name];
      Object.assign(process.env, Object.fromEntries(saved));
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
      // Neither in the run's env nor in the process's (this machine's own proxy variables aside).
      for (const name of Object.keys(process.env)) if (PROXY_NAME.test(name)) delete process.env[name];
      server.handle((_req, res) => res.end('{"via":"direct"}'));
      const response = await transportForEnvironment({ PATH: "/usr/bin" })({ method: "GET", url: `${server.baseUrl}/connections`, headers: {}, timeoutMs: 5000 });
      expect([response.bodyText, asked]).toEqual(['{"via":"direct"}', []]);
    });
  });
});
