import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRequest, TransportFailure } from "../../../providers/xero/http";
import { rejection } from "../helpers";

/** Credentials in the shape a token request carries them: what a transport's errors must never show. */
export const SECRET_HEADER = `Basic ${Buffer.from("client:very-secret-value").toString("base64")}`;
export const SECRET_BODY = "grant_type=refresh_token&refresh_token=refresh-secret-value-123";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TransportServer {
  readonly baseUrl: string;
  /** What the server does with the next requests: each test sets its own. */
  handle(handler: Handler): void;
  /** A token request carrying {@link SECRET_HEADER} and {@link SECRET_BODY} to `path` on this server. */
  request(path: string, timeoutMs?: number): HttpRequest;
}

/** A real loopback HTTP server for the suite (started before its tests, closed after them). */
export function useTransportServer(): TransportServer {
  let server: Server;
  let baseUrl = "";
  let handler: Handler = (_req, res) => res.end("{}");
  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    get baseUrl() {
      return baseUrl;
    },
    handle: (next) => {
      handler = next;
    },
    request: (path, timeoutMs = 5000) => ({
      method: "POST",
      url: `${baseUrl}${path}`,
      headers: { authorization: SECRET_HEADER, "content-type": "application/x-www-form-urlencoded" },
      body: SECRET_BODY,
      timeoutMs,
    }),
  };
}

/** A port nothing listens on: a server's, closed again. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The transport failure a request rejects with; fails the test when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<TransportFailure> {
  return (await rejection(promise)) as TransportFailure;
}
