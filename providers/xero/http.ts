import type { AxiosInstance } from "axios";
import { Redactor, ScrubbedError } from "./redact";

/** One HTTP request as the client builds it. `body` is already encoded. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whole-request deadline, connect to last byte. */
  readonly timeoutMs: number;
}

/** What came back, unparsed: parse functions decide what it means. Header names are lower-case. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

/**
 * How a request failed without a response:
 * - `connect`: no connection was made (refused, DNS, unreachable): the server never saw it;
 * - `reset`: the connection broke (reset, hang-up) after it was made: it may have been processed;
 * - `timeout`: no complete answer within `timeoutMs`: it may have been processed;
 * - `other`: anything else: assume it may have been processed.
 */
export type TransportFailureKind = "connect" | "reset" | "timeout" | "other";

/** The only error an {@link HttpTransport} rejects with. Its message and cause are already scrubbed. */
export class TransportFailure extends Error {
  readonly kind: TransportFailureKind;

  constructor(kind: TransportFailureKind, message: string, cause?: ScrubbedError) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TransportFailure";
    this.kind = kind;
  }

  /** Whether the server may have received (and acted on) the request. */
  get maybeSent(): boolean {
    return this.kind !== "connect";
  }
}

/** Sends one request, resolves with any HTTP status, rejects only with {@link TransportFailure}. */
export type HttpTransport = (request: HttpRequest) => Promise<RawResponse>;

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);
const TIMEOUT_CODES = new Set(["ECONNABORTED", "ETIMEDOUT"]);

/** Classifies a library or socket error code. Pure, so the rules are tested without sockets. */
export function classifyFailureCode(code: string | undefined, deadlinePassed: boolean): TransportFailureKind {
  if (deadlinePassed) return "timeout";
  if (code === undefined) return "other";
  if (CONNECT_CODES.has(code)) return "connect";
  if (RESET_CODES.has(code)) return "reset";
  if (TIMEOUT_CODES.has(code)) return "timeout";
  return "other";
}

/**
 * axios, loaded on the first request rather than with this module: loading it costs more CPU than
 * the rest of a hook process together (it probes the fetch API, which loads undici, and loads
 * form-data's MIME table), and `hook init`, most `hook destroy`s and the `state` commands never
 * send a request. Connections are reused through Node's global agent, which keeps them alive
 * (Node ≥ 19, and package.json requires ≥ 20), so one process opens one connection per host.
 */
function defaultAxios(): AxiosInstance {
  return (require("axios") as typeof import("axios")).default;
}

/**
 * The default transport: axios, no redirects, any status accepted, body kept as text.
 * A failure is turned into a {@link TransportFailure} right here, with the axios error scrubbed:
 * an AxiosError holds its request config (Authorization header, form body with tokens).
 *
 * @param instance @default the axios default instance, loaded on the first request
 */
export function axiosTransport(instance?: AxiosInstance): HttpTransport {
  const scrubber = new Redactor();
  return async (request) => {
    const client = instance ?? defaultAxios();
    const controller = new AbortController();
    let deadlinePassed = false;
    const timer = setTimeout(() => {
      deadlinePassed = true;
      controller.abort();
    }, request.timeoutMs);
    try {
      const response = await client.request<string>({
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        data: request.body,
        signal: controller.signal,
        timeout: request.timeoutMs,
        responseType: "text",
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
      });
      return {
        status: response.status,
        headers: lowerCaseHeaders(response.headers as unknown),
        bodyText: typeof response.data === "string" ? response.data : "",
      };
    } catch (error) {
      const kind = classifyFailureCode(axiosFailureCode(error), deadlinePassed);
      const scrubbed = scrubber.error(error);
      const what = kind === "timeout" ? `no answer within ${request.timeoutMs} ms` : scrubbed.message;
      throw new TransportFailure(kind, `${request.method} ${urlWithoutQuery(request.url)}: ${what}`, scrubbed);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The socket-level code of an axios failure. A connection that breaks in the middle of the answer
 * reaches us as axios's ERR_BAD_RESPONSE "stream has been aborted", with no code of the socket's:
 * it is the reset Node's http module reports for it (nodeHttpTransport), so it is classified alike.
 */
function axiosFailureCode(error: unknown): string | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "ERR_BAD_RESPONSE" && message === "stream has been aborted") return "ECONNRESET";
  return typeof code === "string" ? code : undefined;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || typeof headers !== "object") return out;
  const plain = typeof (headers as { toJSON?: unknown }).toJSON === "function"
    ? (headers as { toJSON(): unknown }).toJSON()
    : headers;
  for (const [key, value] of Object.entries(plain as Record<string, unknown>)) {
    if (typeof value === "string") out[key.toLowerCase()] = value;
    else if (typeof value === "number") out[key.toLowerCase()] = String(value);
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.map(String).join(", ");
  }
  return out;
}

/** The URL for messages: a query may carry ids we do not need to repeat. */
export function urlWithoutQuery(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? url : url.slice(0, at);
}
