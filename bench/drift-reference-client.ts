/**
 * The drift benchmark's reference: the fewest lines of Node that make the same calls as a drift run
 * over the benchmark's world (per app, a client-credentials token, then GET /connections with it),
 * at the same concurrency, over Node's http with the same keep-alive agent, and check nothing. Run
 * as a fresh process like drift, it shows what this emulator, this machine and Node's start-up allow
 * before any of drift's own work: drift's ratio can be no better than this one's.
 *
 *   node dist/bench/drift-reference-client.js <apps file> <concurrency>
 *
 * The apps file lists client ids (`[{ "clientId": "…", "secretVariable": "BENCH_SECRET_0" }, …]`);
 * the secrets come from the environment, as drift's do. Exits 1 when an answer is not a 200.
 */
import * as http from "node:http";
import { readFileSync } from "node:fs";

interface ReferenceApp {
  readonly clientId: string;
  readonly secretVariable: string;
}

function call(url: string, options: http.RequestOptions, body?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (response.statusCode !== 200) reject(new Error(`${options.method ?? "GET"} ${url}: ${response.statusCode ?? "?"}`));
        else resolve(JSON.parse(text));
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function main(): Promise<void> {
  const [appsFile, concurrencyText] = process.argv.slice(2);
  if (appsFile === undefined || concurrencyText === undefined) throw new Error("usage: drift-reference-client.js <apps file> <concurrency>");
  const apps = JSON.parse(readFileSync(appsFile, "utf8")) as ReferenceApp[];
  const concurrency = Number(concurrencyText);
  const tokenUrl = `${process.env["XERO_IDENTITY_URL"] ?? ""}/connect/token`;
  const connectionsUrl = `${process.env["XERO_API_URL"] ?? ""}/connections`;

  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const inSlot = async <T>(work: () => Promise<T>): Promise<T> => {
    while (inFlight >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
      waiting.shift()?.();
    }
  };
  await Promise.all(
    apps.map(async (app) => {
      const basic = Buffer.from(`${app.clientId}:${process.env[app.secretVariable] ?? ""}`).toString("base64");
      const tokens = (await inSlot(() =>
        call(tokenUrl, { method: "POST", headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" } }, "grant_type=client_credentials"),
      )) as { access_token: string };
      await inSlot(() => call(connectionsUrl, { method: "GET", headers: { authorization: `Bearer ${tokens.access_token}` } }));
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
