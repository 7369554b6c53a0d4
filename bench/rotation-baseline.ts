/**
 * Child process of bench/rotation: the baseline. One plain client-credentials exchange with the
 * cdktf-xero Xero client from a fresh process: what any hook that proves a Custom Connection pays.
 */
import { XeroClient } from "../providers/xero/client";

async function main(): Promise<void> {
  const client = new XeroClient({ clientId: process.env["BENCH_CLIENT_ID"] ?? "", clientSecret: process.env["BENCH_CLIENT_SECRET"] ?? "" });
  await client.clientCredentials();
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline run failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
