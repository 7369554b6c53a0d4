import { ManualClock } from "../../providers/clock";
import { XeroClient, type XeroClientOptions } from "../../providers/xero/client";
import { TransportFailure, type HttpRequest, type RawResponse, type TransportFailureKind } from "../../providers/xero/http";
import { CLIENT_ID, CLIENT_SECRET, json } from "./helpers";

/** A scripted transport: each call takes the next step and records the request. */
export type Step = RawResponse | TransportFailureKind;

export class ScriptedHttp {
  readonly requests: HttpRequest[] = [];
  private readonly steps: Step[];

  constructor(...steps: Step[]) {
    this.steps = steps;
  }

  readonly transport = async (request: HttpRequest): Promise<RawResponse> => {
    this.requests.push(request);
    const step = this.steps.shift();
    if (step === undefined) throw new Error(`unscripted request ${request.method} ${request.url}`);
    if (typeof step === "string") throw new TransportFailure(step, `${request.method} ${request.url}: scripted ${step}`);
    return step;
  };

  /** The form fields of request `n`. */
  form(n: number): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(this.requests[n]?.body ?? ""));
  }
}

export const tokenOk = (extra: Record<string, unknown> = {}): RawResponse =>
  json(200, { access_token: "access-1", expires_in: 1800, token_type: "Bearer", ...extra });

export function fakeClient(http: ScriptedHttp, options: Partial<XeroClientOptions> = {}) {
  const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
  const sleeps: number[] = [];
  const lines: string[] = [];
  const client = new XeroClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    env: {},
    http: http.transport,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0,
    randomBytes: (size) => new Uint8Array(size).fill(1),
    logger: { debug: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`) },
    ...options,
  });
  return { client, clock, sleeps, lines };
}
