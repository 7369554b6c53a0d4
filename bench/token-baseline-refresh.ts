/**
 * Child process of bench/token: the refresh baseline. A bare axios refresh-token request (HTTP Basic)
 * in a fresh process, keeping the rotated refresh token in one file (read before, written after),
 * without which the next run could not refresh: no lock, no write-ahead record, no encryption.
 */
import { readFileSync, writeFileSync } from "node:fs";
import axios from "axios";

async function main(): Promise<void> {
  const file = process.env["BENCH_REFRESH_TOKEN_FILE"] ?? "";
  const id = process.env["BENCH_CLIENT_ID"] ?? "";
  const secret = process.env["BENCH_CLIENT_SECRET"] ?? "";
  const answer = await axios.post<{ access_token: string; refresh_token: string }>(
    `${process.env["XERO_IDENTITY_URL"] ?? ""}/connect/token`,
    new URLSearchParams({ grant_type: "refresh_token", refresh_token: readFileSync(file, "utf8") }).toString(),
    { headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" } },
  );
  writeFileSync(file, answer.data.refresh_token, { mode: 0o600 });
  process.stdout.write(`${answer.data.access_token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline refresh failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
