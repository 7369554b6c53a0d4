import { createServer as createNetServer, type Server } from "node:net";
import { XeroLoopbackListenError } from "../../providers/xero/consent-errors";
import { asLoopbackRedirectUri } from "../../providers/xero/consent-redirect";
import { listenForRedirect } from "../../providers/xero/loopback-listener";

/** The one-shot listener on a loopback redirect URI, over real HTTP on 127.0.0.1. */

function occupiedPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

async function freePort(): Promise<number> {
  const server = await occupiedPort();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function target(path = "/callback") {
  const parsed = asLoopbackRedirectUri(`http://localhost:${await freePort()}${path}`);
  if (parsed === undefined) throw new Error("not loopback");
  return parsed;
}

describe("loopback listener", () => {
  it("resolves with the first redirect to its path, query included, and shows the browser a page", async () => {
    const uri = await target();
    const listener = await listenForRedirect(uri);
    try {
      const response = await fetch(`http://127.0.0.1:${uri.port}/callback?code=c1&state=s1`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Return to your terminal");
      expect((await listener.redirect).searchParams.get("code")).toBe("c1");
    } finally {
      await listener.close();
    }
  });

  it("answers 404 to other paths, such as the browser's favicon request", async () => {
    const uri = await target();
    const listener = await listenForRedirect(uri);
    try {
      expect((await fetch(`http://127.0.0.1:${uri.port}/favicon.ico`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it("takes only one redirect: a second one answers 404", async () => {
    const uri = await target();
    const listener = await listenForRedirect(uri);
    try {
      await fetch(`http://127.0.0.1:${uri.port}/callback?code=c1&state=s1`);
      expect((await fetch(`http://127.0.0.1:${uri.port}/callback?code=c2&state=s1`)).status).toBe(404);
      expect((await listener.redirect).searchParams.get("code")).toBe("c1");
    } finally {
      await listener.close();
    }
  });

  it("stops listening when closed", async () => {
    const uri = await target();
    const listener = await listenForRedirect(uri);
    await listener.close();
    await expect(fetch(`http://127.0.0.1:${uri.port}/callback`)).rejects.toThrow();
  });

  it("reports a port in use as XeroLoopbackListenError naming the URI and what to do", async () => {
    const busy = await occupiedPort();
    try {
      const uri = asLoopbackRedirectUri(`http://localhost:${portOf(busy)}/callback`);
      if (uri === undefined) throw new Error("not loopback");
      const error = await listenForRedirect(uri).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(XeroLoopbackListenError);
      expect(error?.message).toBe(
        `Cannot listen on ${uri.uri} (EADDRINUSE): port ${uri.port} is in use. Stop what uses it, or register another loopback redirect URI and pass its port.`,
      );
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
