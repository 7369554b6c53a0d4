import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { EmulatorAdminClient } from "./admin-client";
import type { EmulatorClock } from "./clock";
import { createContext, urlsFor, type EmulatorContext, type HandlerResult, type RequestHooks } from "./context";
import { describeFault } from "./faults";
import { jsonResponse, type EmulatorRequest } from "./http";
import { resolveOptions, type EmulatorOptions } from "./options";
import { ADMIN_PREFIX } from "./routes/admin";
import { remainingLatencyMs } from "./latency";
import { route } from "./router";
import { TokenSigner } from "./signing";

/** The HTTP shell: node:http on loopback, body reading, faults, logging, correlation ids. */
export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT/login: authorize at `${loginUrl}/identity/connect/authorize`. */
  readonly loginUrl: string;
  /** e.g. http://127.0.0.1:PORT/identity: `/connect/token`, `/connect/revocation`, `/.well-known/openid-configuration`. */
  readonly identityUrl: string;
  /** e.g. http://127.0.0.1:PORT/api: `/connections`, `/connections/{id}`, `/api.xro/2.0/Organisation`. */
  readonly apiUrl: string;
  /** e.g. http://127.0.0.1:PORT/admin: the admin API (see emulator/README.md). */
  readonly adminUrl: string;
  /**
   * The address and port the server is bound to, as the OS reports it: `127.0.0.1` by default,
   * `0.0.0.0` or `::` for every interface (the URLs above then use loopback, which reaches it).
   */
  readonly listening: { readonly address: string; readonly port: number };
  /** A typed client for the admin API, over real HTTP. */
  readonly admin: EmulatorAdminClient;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function toEmulatorRequest(req: IncomingMessage, body: string): EmulatorRequest {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { method: (req.method ?? "GET").toUpperCase(), path: url.pathname, query: url.searchParams, headers, body };
}

/** An injected delay; it ends early when the client goes away, so a request nobody waits for holds nothing. */
function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

function faultResponse(status: number, retryAfterSeconds: number | undefined): HandlerResult {
  const headers: Record<string, string> = status === 429 ? { "retry-after": String(retryAfterSeconds ?? 1), "x-rate-limit-problem": "minute" } : {};
  return jsonResponse(status, { error: "emulator_fault", message: "injected by POST /admin/faults" }, headers);
}

/** Handles one HTTP exchange; exported so the server's own behaviour can be tested. */
export async function serveRequest(req: IncomingMessage, res: ServerResponse, ctx: EmulatorContext): Promise<void> {
  const arrivedAtMs = performance.now();
  const path = new URL(req.url ?? "/", "http://emulator.invalid").pathname;
  const isAdmin = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
  return isAdmin ? serveExchange(req, res, ctx, true, arrivedAtMs) : ctx.log.during(() => serveExchange(req, res, ctx, false, arrivedAtMs));
}

async function serveExchange(req: IncomingMessage, res: ServerResponse, ctx: EmulatorContext, isAdmin: boolean, arrivedAtMs: number): Promise<void> {
  const correlationId = ctx.random.uuid();
  const body = await readBody(req);
  const request = toEmulatorRequest(req, body ?? "");
  const record = (status: number | "dropped", extra: { fault?: string; note?: string } = {}): void => {
    if (!isAdmin) ctx.log.record(request, { time: ctx.clock.now(), status, correlationId, ...extra });
  };
  const fault = isAdmin ? undefined : ctx.faults.take(request.path);
  const faultText = fault === undefined ? undefined : describeFault(fault);

  if (fault?.drop === "before") {
    record("dropped", { fault: faultText });
    res.socket?.destroy();
    return;
  }
  // The configured latency is felt once per request, where the handler waits (inside its rate-limit
  // slot), or before the answer when the handler answered without waiting; never once the client is gone.
  // It counts from the request's arrival, or from the end of an injected delay or hold (latency.ts).
  const latencyMs = isAdmin ? 0 : ctx.latency.ms;
  let latencyFromMs = arrivedAtMs;
  let latencyFelt = false;
  let gone = res.socket === null || res.socket.destroyed;
  res.once("close", () => {
    gone = true;
  });
  const feelLatency = async (): Promise<void> => {
    if (latencyFelt) return;
    latencyFelt = true;
    // Node's timers count from the event loop's clock, which can be behind performance.now(): a timer
    // may end early, so the remaining time is looked at again until none is left.
    for (let remainingMs = remainingLatencyMs(latencyMs, latencyFromMs, performance.now()); remainingMs > 0 && !gone; ) {
      await ctx.latency.during(delay(remainingMs, res));
      remainingMs = remainingLatencyMs(latencyMs, latencyFromMs, performance.now());
    }
  };
  const awaitInjectedDelay = async (): Promise<void> => {
    if (fault?.hold === true || fault?.delayMs !== undefined) {
      await (fault.hold === true ? ctx.faults.hold(res) : delay(fault.delayMs ?? 0, res));
      latencyFromMs = performance.now();
    }
  };
  const hooks: RequestHooks = {
    simulateLatency: async () => {
      await awaitInjectedDelay();
      await feelLatency();
    },
    awaitInjectedDelay,
  };
  let response: HandlerResult;
  if (body === undefined) {
    response = jsonResponse(413, { error: "invalid_request", message: `request bodies are limited to ${MAX_BODY_BYTES} bytes` });
  } else if (fault?.status !== undefined) {
    await hooks.simulateLatency();
    response = faultResponse(fault.status, fault.retryAfterSeconds);
  } else {
    try {
      response = await route(request, ctx, hooks);
    } catch (error) {
      response = jsonResponse(500, { error: "server_error", message: "the emulator failed; see its stderr" });
      process.stderr.write(`emulator: ${request.method} ${request.path} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    }
  }
  await feelLatency();
  // A slow way back: the work is done (a refresh token rotated) and the answer is not there yet.
  if (fault?.delayAfterCommitMs !== undefined && !gone) await delay(fault.delayAfterCommitMs, res);
  if (fault?.drop === "after-commit") {
    record("dropped", { fault: faultText, ...(response.note === undefined ? {} : { note: response.note }) });
    res.socket?.destroy();
    return;
  }
  record(response.status, { ...(faultText === undefined ? {} : { fault: faultText }), ...(response.note === undefined ? {} : { note: response.note }) });
  res.writeHead(response.status, { ...response.headers, "xero-correlation-id": correlationId });
  res.end(response.body);
}

/**
 * Starts an emulator and resolves once it listens. `world.clock` lets an in-process test share the
 * emulator's clock with the code under test (e.g. one that moves only when that code sleeps).
 */
export async function startEmulator(options: EmulatorOptions = {}, world: { readonly clock?: EmulatorClock } = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const signer = await TokenSigner.create();
  const server = createServer();
  // Idle kept-alive connections are closed by the client, never by the emulator: a client that
  // sends on an idle connection just as the server's idle timer closes it gets a reset, and a
  // client whose event loop was held up (a test process spawning synchronously on a busy machine)
  // meets that race as a flaky ECONNRESET.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard bind is reached through loopback; IPv6 literals need brackets in URLs.
  const host = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "[::1]" : address.family === "IPv6" ? `[${address.address}]` : address.address;
  const urls = urlsFor(`http://${host}:${address.port}`);
  const ctx = createContext({ options: resolved, urls, signer, ...(world.clock === undefined ? {} : { clock: world.clock }) });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // A client that goes away mid-body must not take the emulator down with it.
    serveRequest(req, res, ctx).catch(() => res.socket?.destroy());
  });
  let closing: Promise<void> | undefined;
  return {
    ...urls,
    listening: { address: address.address, port: address.port },
    admin: new EmulatorAdminClient(urls.adminUrl),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        ctx.faults.release();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
