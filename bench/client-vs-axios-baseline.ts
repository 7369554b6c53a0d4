/**
 * Child process of bench/client-vs-axios: the baseline. The same two requests as the client run
 * (client credentials with HTTP Basic, then GET /connections), with axios alone and no checks
 * beyond the one connection.
 */
import axios from "axios";

async function main(): Promise<void> {
  const id = process.env["BENCH_CLIENT_ID"] ?? "";
  const secret = process.env["BENCH_CLIENT_SECRET"] ?? "";
  const token = await axios.post<{ access_token: string }>(
    `${process.env["XERO_IDENTITY_URL"] ?? ""}/connect/token`,
    "grant_type=client_credentials",
    {
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
    },
  );
  const connections = await axios.get<unknown[]>(`${process.env["XERO_API_URL"] ?? ""}/connections`, {
    headers: { authorization: `Bearer ${token.data.access_token}` },
  });
  if (connections.data.length !== 1) throw new Error(`expected one connection, got ${connections.data.length}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline run failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
