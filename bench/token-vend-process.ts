/**
 * A lean process that vends one access token through the library, as `cdktf-xero token` does:
 * `vendAccessToken(documentTokenSetStore(backend, document))`, the token on stdout. It stands in
 * for the command where the command is not built yet (test/tokens/refresh-trials.ts switches with
 * one line), and is the floor the command's start-up is compared against.
 *
 *   node dist/bench/token-vend-process.js <document> --backend local:<dir>|pg:<schema>
 *
 * The client id and the client secret's variable come from the connection document's declaration;
 * XERO_*_URL point at the emulator; CDKTF_XERO_FAILPOINT=refresh-recorded|refresh-answered|refresh-written:kill
 * (test only) SIGKILLs the process at that point of a refresh. Errors: code and message on stderr, exit 1.
 */
import { parseBackendAddress } from "../contract/state-address";
import { ConnectionOutputs, type OAuthConnectionSpec } from "../contract/connection";
import { systemClock } from "../providers/clock";
import { openStateBackend } from "../providers/state";
import { documentTokenSetStore } from "../providers/lifecycle/connection/token-set-store";
import { vendAccessToken, type RefreshFailpoint } from "../providers/tokens/locked-refresh";
import { XeroClient } from "../providers/xero/client";

const FAILPOINT_ENV = "CDKTF_XERO_FAILPOINT";

function failpointsFrom(env: NodeJS.ProcessEnv): ((name: RefreshFailpoint) => void) | undefined {
  const armed = new Set((env[FAILPOINT_ENV] ?? "").split(",").filter((item) => item.endsWith(":kill")).map((item) => item.slice(0, -":kill".length)));
  return armed.size === 0 ? undefined : (name) => void (armed.has(name) && process.kill(process.pid, "SIGKILL"));
}

async function main(argv: readonly string[]): Promise<void> {
  const [document, flag, addressText] = argv;
  const address = addressText === undefined ? undefined : parseBackendAddress(addressText);
  if (document === undefined || flag !== "--backend" || address === undefined) throw new Error("usage: token-vend-process <document> --backend local:<dir>|pg:<schema>");
  const backend = await openStateBackend(address, { env: process.env, createIfMissing: false });
  try {
    const stored = await backend.read(document);
    const declaration = JSON.parse(ConnectionOutputs.decode(stored?.values).declaration ?? "{}") as Partial<OAuthConnectionSpec>;
    const secretRef = declaration.app?.clientSecret;
    const clientSecret = secretRef?.source === "env" ? process.env[secretRef.name] : undefined;
    const grant = new XeroClient({ clientId: declaration.app?.clientId ?? "", ...(clientSecret === undefined ? {} : { clientSecret }) });
    const failpoints = failpointsFrom(process.env);
    const vended = await vendAccessToken(documentTokenSetStore(backend, document), grant, { clock: systemClock, ...(failpoints === undefined ? {} : { failpoints }) });
    process.stdout.write(`${vended.accessToken}\n`);
  } finally {
    await backend.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`${typeof code === "string" ? code : "ERROR"}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
