/**
 * The pg package, loaded without its runtime probe's cost on Node.js 20.
 *
 * pg 8 decides between Node.js sockets and Cloudflare Workers' as it loads (pg/lib/stream.js): it
 * reads `navigator.userAgent`, and where there is no `navigator`, as on Node.js 20 (21 and later
 * have one), it constructs a `Response`. On Node.js 20 that first `Response` loads undici, http2 and
 * webcrypto: 50-75 ms of CPU in every process that opens a pg backend, more than the rest of pg's
 * loading (measured over 20 processes each, `node -e 'require("pg")'`). Every hook, `token` and
 * `drift` on a pg backend is such a process.
 *
 * So pg is loaded with the `navigator` that Node.js 21 would have, and the global goes away as soon
 * as pg has loaded. The probe then answers as it does on Node.js 21: not Cloudflare Workers. pg is
 * loaded synchronously, so nothing else runs while the global is there.
 */
import type * as Pg from "pg";

function loadPg(): typeof Pg {
  const global = globalThis as { navigator?: unknown };
  if (global.navigator !== undefined) return require("pg") as typeof Pg;
  Object.defineProperty(global, "navigator", { value: { userAgent: `Node.js/${process.versions.node.split(".")[0]}` }, configurable: true, writable: true });
  try {
    return require("pg") as typeof Pg;
  } finally {
    delete global.navigator;
  }
}

export const pg: typeof Pg = loadPg();
