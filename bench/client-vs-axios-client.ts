/**
 * Child process of bench/client-vs-axios: loads the compiled Xero client and does what a
 * Custom Connection hook does first: client credentials, then GET /connections.
 * Credentials and URLs arrive in the environment (never argv); read here, at the program's edge.
 */
import { XeroClient } from "../providers/xero";

async function main(): Promise<void> {
  const client = new XeroClient({
    clientId: process.env["BENCH_CLIENT_ID"] ?? "",
    clientSecret: process.env["BENCH_CLIENT_SECRET"] ?? "",
    env: process.env,
  });
  const tokens = await client.clientCredentials();
  const connections = await client.listConnections(tokens.accessToken);
  if (connections.length !== 1) throw new Error(`expected one connection, got ${connections.length}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`client run failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
