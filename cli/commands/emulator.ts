import type { Command } from "commander";
import { APP_TIERS, startEmulator, type AppTier, type EmulatorOptions } from "../../emulator";
import { ConfigError } from "../../providers/errors";

/**
 * `cdktf-xero emulator`: runs the Xero-compatible emulator in the foreground, prints one JSON line
 * `{"loginUrl","identityUrl","apiUrl","adminUrl"}` and stops cleanly on SIGINT or SIGTERM.
 */
interface EmulatorFlags {
  port: string;
  host: string;
  issuer?: string;
  secretOverlap: boolean;
  autoConsent: boolean;
  defaultAppTier?: string;
  tokenRateLimit?: string;
  pkcePlain?: boolean;
  invalidClientStatus?: string;
  customConnectionUserClaims?: boolean;
  authorizeErrorResponse?: string;
}

/** Flags in, emulator options out; bad values are a ConfigError naming the flag and the value. */
export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65535) {
    throw new ConfigError(`--port must be a whole number 0..65535 (0 = any free port), got ${flags.port}`);
  }
  if (flags.issuer !== undefined && !/^https?:\/\/\S+$/.test(flags.issuer)) {
    throw new ConfigError(`--issuer must be an http(s) URL such as https://identity.xero.com, got ${flags.issuer}`);
  }
  if (flags.defaultAppTier !== undefined && !(APP_TIERS as readonly string[]).includes(flags.defaultAppTier)) {
    throw new ConfigError(`--default-app-tier must be one of ${APP_TIERS.join(", ")}, got ${flags.defaultAppTier}`);
  }
  if (flags.tokenRateLimit !== undefined && (!/^\d+$/.test(flags.tokenRateLimit) || Number(flags.tokenRateLimit) < 1)) {
    throw new ConfigError(`--token-rate-limit must be a whole number of requests per minute, 1 or more, got ${flags.tokenRateLimit}`);
  }
  if (flags.invalidClientStatus !== undefined && flags.invalidClientStatus !== "400" && flags.invalidClientStatus !== "401") {
    throw new ConfigError(`--invalid-client-status must be 400 (IdentityServer's) or 401, got ${flags.invalidClientStatus}`);
  }
  if (flags.authorizeErrorResponse !== undefined && flags.authorizeErrorResponse !== "page" && flags.authorizeErrorResponse !== "redirect") {
    throw new ConfigError(`--authorize-error-response must be page (the error page at the authorize URL) or redirect (to the error page), got ${flags.authorizeErrorResponse}`);
  }
  return {
    port: Number(flags.port),
    host: flags.host,
    ...(flags.issuer === undefined ? {} : { issuer: flags.issuer }),
    secretOverlap: flags.secretOverlap,
    autoConsent: flags.autoConsent,
    ...(flags.defaultAppTier === undefined ? {} : { defaultAppTier: flags.defaultAppTier as AppTier }),
    ...(flags.tokenRateLimit === undefined ? {} : { tokenRateLimitPerMinute: Number(flags.tokenRateLimit) }),
    ...(flags.pkcePlain === true ? { pkcePlainMethod: true } : {}),
    ...(flags.invalidClientStatus === undefined ? {} : { invalidClientStatus: Number(flags.invalidClientStatus) as 400 | 401 }),
    ...(flags.customConnectionUserClaims === true ? { customConnectionUserClaims: true } : {}),
    ...(flags.authorizeErrorResponse === undefined ? {} : { authorizeErrorResponse: flags.authorizeErrorResponse as "page" | "redirect" }),
  };
}

/** Resolves with the name of the first of SIGINT/SIGTERM to arrive. */
function firstStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function runEmulatorCommand(
  options: EmulatorOptions,
  io: { write(line: string): void; waitForStop(): Promise<unknown> } = {
    write: (line) => process.stdout.write(line),
    waitForStop: firstStopSignal,
  },
): Promise<void> {
  const emulator = await startEmulator(options);
  // Listen for the stop signal before printing: a caller may signal as soon as it reads the line.
  const stopped = io.waitForStop();
  const { loginUrl, identityUrl, apiUrl, adminUrl } = emulator;
  io.write(`${JSON.stringify({ loginUrl, identityUrl, apiUrl, adminUrl })}\n`);
  await stopped;
  await emulator.close();
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command("emulator")
    .description("Run a Xero-compatible identity and connections server for tests and demos (until Ctrl-C)")
    .option("--port <n>", "port to listen on; 0 picks a free one", "0")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--issuer <url>", "token issuer (default: the identity URL it serves; https://identity.xero.com for Xero-identical tokens)")
    .option("--no-secret-overlap", "generating another client secret invalidates the older ones")
    .option("--auto-consent", "approve authorize requests at once for the user set by POST /admin/consent")
    .option("--default-app-tier <tier>", `connection-limit tier of new Web/PKCE apps: ${APP_TIERS.join(", ")} (default starter)`)
    .option("--token-rate-limit <n>", "429 at the token endpoint past n requests per client per minute (default: no limit)")
    .option("--pkce-plain", "accept code_challenge_method=plain (default: S256 only)")
    .option("--invalid-client-status <status>", "HTTP status of invalid_client at the token endpoint: 400 or 401 (default 400)")
    .option("--custom-connection-user-claims", "give Custom Connection access tokens the authorising user's claims (default: none)")
    .option("--authorize-error-response <how>", "a refused authorize request: page (the error page, 400) or redirect (302 to the error page) (default page)")
    .addHelpText(
      "after",
      `
Prints one JSON line, then serves until SIGINT/SIGTERM:
  {"loginUrl":"http://127.0.0.1:PORT/login","identityUrl":".../identity","apiUrl":".../api","adminUrl":".../admin"}

Examples:
  $ cdktf-xero emulator --port 0
  $ cdktf-xero emulator --port 8080 --auto-consent --issuer https://identity.xero.com`,
    )
    .action(async (flags: EmulatorFlags) => {
      await runEmulatorCommand(emulatorOptionsFromFlags(flags));
    });
}
