import * as http from "node:http";
import { axiosTransport, classifyFailureCode, TransportFailure, urlWithoutQuery, type HttpTransport, type RawResponse } from "./http";
import { Redactor } from "./redact";

/**
 * An {@link HttpTransport} on Node's own http and https modules, for a process that sends hundreds of
 * requests (the drift command): axios spends more CPU per request than the request itself (config
 * merging, interceptors, adapters) and costs a module load of its own, and a drift run is bound by
 * that CPU, not by Xero. Same contract as {@link axiosTransport}: no redirects followed, any status
 * returned, the body as text, lower-case headers, one deadline from connect to last byte, failures
 * classified and scrubbed. Connections are reused through Node's global agents, which keep them alive.
 */
export function nodeHttpTransport(): HttpTransport {
  const scrubber = new Redactor();
  return (request) =>
    new Promise<RawResponse>((resolve, reject) => {
      // https (and TLS under it) is loaded on the first https URL: a run against the emulator, or
      // one that never calls out, does not pay for loading it.
      const send = request.url.startsWith("https:") ? (require("node:https") as typeof import("node:https")).request : http.request;
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body, "utf8"));
      let deadlinePassed = false;
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const code = (error as { code?: unknown }).code;
        const kind = classifyFailureCode(typeof code === "string" ? code : undefined, deadlinePassed);
        const scrubbed = scrubber.error(error);
        const what = kind === "timeout" ? `no answer within ${request.timeoutMs} ms` : scrubbed.message;
        reject(new TransportFailure(kind, `${request.method} ${urlWithoutQuery(request.url)}: ${what}`, scrubbed));
      };
      let outgoing: http.ClientRequest | undefined;
      const timer = setTimeout(() => {
        deadlinePassed = true;
        outgoing?.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: "ETIMEDOUT" }));
      }, request.timeoutMs);
      try {
        outgoing = send(request.url, { method: request.method, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", fail);
          // Closed before its end: the connection broke mid-answer (or the deadline destroyed it).
          response.on("close", () => {
            if (!settled) fail(Object.assign(new Error("the connection closed before the whole answer came"), { code: "ECONNRESET" }));
          });
          response.on("end", () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, headers: lowerCaseHeaders(response.headers), bodyText: Buffer.concat(chunks).toString("utf8") });
          });
        });
        outgoing.on("error", fail);
        outgoing.end(request.body);
      } catch (error) {
        // A request Node refuses to build (a malformed URL or header): nothing was sent.
        fail(error);
      }
    });
}

/**
 * The transport for a run whose environment is `env`: {@link nodeHttpTransport}, unless a proxy is
 * configured (`HTTPS_PROXY`, `http_proxy`, `ALL_PROXY`, …), which axios honours (with `NO_PROXY`)
 * and Node's http module does not; then axios, so a run behind a proxy still gets out. Both `env` and
 * the process's environment are looked at: axios takes the proxy from the process's, and a caller's
 * `env` may hold only what it names (`XERO_*_URL`).
 */
export function transportForEnvironment(env: Readonly<Record<string, string | undefined>>): HttpTransport {
  const proxied = [env, process.env].some((variables) =>
    Object.entries(variables).some(([name, value]) => value !== undefined && value !== "" && PROXY_VARIABLE.test(name)),
  );
  return proxied ? axiosTransport() : nodeHttpTransport();
}

/** The variables axios's proxy support (proxy-from-env) reads a proxy from. */
const PROXY_VARIABLE = /^(npm_config_)?((https?|all)_)?proxy$/i;

function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === "string") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(", ");
  }
  return out;
}
