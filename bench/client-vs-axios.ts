/**
 * Benchmark: a fresh Node process that loads the compiled Xero client and does client credentials
 * + GET /connections, against a fresh Node process doing the same two requests with axios alone.
 * Target: the client's median wall time at most 1.3x the baseline's.
 *
 *   npm run build && node dist/bench/client-vs-axios.js [--runs N]
 *
 * The emulator runs in this process; a Custom Connection linked to one organisation is set up
 * once. Runs alternate (ABBA order) so drift in machine load hits both sides alike. Wall time is
 * spawn to exit, so it includes Node's start-up and module loading: what a hook pays per call.
 */
import { join } from "node:path";
import { startEmulator } from "../emulator";
import { integerOption, timeNode } from "./process-timing";
import { formatSummary, median, summarize } from "./stats";

const TARGET_RATIO = 1.3;

async function main(): Promise<void> {
  const runs = integerOption(process.argv.slice(2), "--runs", 15, 10);
  const emulator = await startEmulator({ rateLimits: { perAppPerMinute: 1_000_000 } });
  try {
    const app = await emulator.admin.createApp({ kind: "custom_connection", name: "Bench", scopes: ["accounting.invoices"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Bench Company" });
    await emulator.admin.link(app.clientId, tenantId);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env["PATH"] ?? "",
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      BENCH_CLIENT_ID: app.clientId,
      BENCH_CLIENT_SECRET: app.clientSecret ?? "",
    };
    const clientScript = join(__dirname, "client-vs-axios-client.js");
    const baselineScript = join(__dirname, "client-vs-axios-baseline.js");

    // One unmeasured run of each warms the OS file cache and the emulator.
    await timeNode([clientScript], env);
    await timeNode([baselineScript], env);

    const client: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        client.push(await timeNode([clientScript], env));
        baseline.push(await timeNode([baselineScript], env));
      } else {
        baseline.push(await timeNode([baselineScript], env));
        client.push(await timeNode([clientScript], env));
      }
    }
    const ratio = median(client) / median(baseline);
    process.stdout.write(
      [
        `client vs axios: fresh node process, client credentials + GET /connections, ${runs} interleaved runs each`,
        formatSummary("cdktf-xero client", summarize(client)),
        formatSummary("axios alone (baseline)", summarize(baseline)),
        `ratio (median client / median baseline): ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? "met" : "MISSED"})`,
        "",
      ].join("\n"),
    );
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench client-vs-axios failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
