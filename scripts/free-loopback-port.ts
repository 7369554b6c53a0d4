import { createServer } from "node:net";

/**
 * A port the kernel just handed out on 127.0.0.1 and that is free again: for a server started a
 * moment later (a throwaway PostgreSQL, a consent flow's loopback redirect URI).
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("the kernel handed out no loopback port"))));
    });
  });
}
