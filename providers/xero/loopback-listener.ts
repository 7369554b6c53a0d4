import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { XeroLoopbackListenError } from "./consent-errors";
import type { LoopbackRedirectUri } from "./consent-redirect";

/**
 * A one-shot HTTP listener on a loopback redirect URI: it takes the first GET to the URI's path,
 * answers the browser with a short page, and stops. `localhost` may resolve to 127.0.0.1 or ::1
 * in the browser, so it listens on both where the machine has them (127.0.0.1 is required).
 */
export interface LoopbackListener {
  /** Resolves with the full URL of the first redirect to arrive. */
  readonly redirect: Promise<URL>;
  /** Stops listening (idempotent). */
  close(): Promise<void>;
}

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cdktf-xero</title></head>
<body><h1>Xero answered</h1><p id="result">cdktf-xero received Xero's answer. Return to your terminal; you can close this window.</p></body></html>
`;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function listenForRedirect(target: LoopbackRedirectUri): Promise<LoopbackListener> {
  let deliver: (url: URL) => void = () => undefined;
  const redirect = new Promise<URL>((resolve) => {
    deliver = resolve;
  });
  let received = false;
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? "/", `http://localhost:${target.port}`);
    if (request.method !== "GET" || url.pathname !== target.path || received) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    received = true;
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", connection: "close" }).end(PAGE);
    deliver(url);
  };
  const primary = createServer(handle);
  try {
    await listen(primary, target.port, "127.0.0.1");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new XeroLoopbackListenError(
      `Cannot listen on ${target.uri} (${typeof code === "string" ? code : "error"}): ` +
        (code === "EADDRINUSE"
          ? `port ${target.port} is in use. Stop what uses it, or register another loopback redirect URI and pass its port.`
          : `choose a loopback redirect URI on a port this user may open (above 1023).`),
      { cause: error, context: { port: target.port } },
    );
  }
  const servers = [primary];
  const secondary = createServer(handle);
  try {
    await listen(secondary, target.port, "::1");
    servers.push(secondary);
  } catch {
    // No IPv6 loopback here (or the port is taken there): browsers fall back to 127.0.0.1.
  }
  let closing: Promise<void> | undefined;
  return {
    redirect,
    close: () => {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
