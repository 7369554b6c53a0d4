import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
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
  latencyMs?: string;
}

/** Flags in, emulator options out; bad values are a ConfigError naming the flag and the value. */
export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65535) {
    throw new ConfigError(`--port must be a whole number 0..65535 (0 = any free port), got ${flags.port}`);
  }
  if (!isHost(flags.host)) {
    throw new ConfigError(
      `--host must be an IP address or a host name of letters, digits, "-" and "." (the interface to listen on, e.g. 127.0.0.1), got ${JSON.stringify(flags.host)}`,
    );
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
  if (flags.latencyMs !== undefined && !/^\d+$/.test(flags.latencyMs)) {
    throw new ConfigError(`--latency-ms must be a whole number of milliseconds, 0 or more, got ${flags.latencyMs}`);
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
    ...(flags.latencyMs === undefined ? {} : { latencyMs: Number(flags.latencyMs) }),
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

/** An IP address, or a host name made of DNS labels. */
function isHost(text: string): boolean {
  return isIP(text) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(text);
}

/** Whether a bound address is reachable from this machine only. */
export function isLoopbackAddress(address: string): boolean {
  return address === "::1" || address === "::ffff:127.0.0.1" || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Listening failures as CONFIG_INVALID naming the flag and the value, instead of `getaddrinfo ENOTFOUND`. */
function listenError(error: unknown, options: EmulatorOptions): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const host = JSON.stringify(options.host);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return new ConfigError(`--host ${host} is not a name this machine can resolve (${code}); give an IP address such as 127.0.0.1`, { cause: error });
  }
  if (code === "EADDRNOTAVAIL") {
    return new ConfigError(`--host ${host} is not an address of this machine (EADDRNOTAVAIL); give one of its own, such as 127.0.0.1`, { cause: error });
  }
  if (code === "EADDRINUSE") {
    return new ConfigError(`--port ${options.port ?? 0} is already in use on ${host}; give another, or 0 for any free port`, { cause: error });
  }
  if (code === "EACCES") {
    return new ConfigError(`--port ${options.port ?? 0} on ${host} needs privileges this process lacks (EACCES); give a port above 1023, or 0`, { cause: error });
  }
  return error;
}

/** The warning printed when the emulator listens beyond loopback: its admin API has no authentication. */
export function exposureWarning(listening: { address: string; port: number }, adminUrl: string): string | undefined {
  if (isLoopbackAddress(listening.address)) return undefined;
  const wildcard = listening.address === "0.0.0.0" || listening.address === "::";
  const bound = `${listening.address.includes(":") ? `[${listening.address}]` : listening.address}:${listening.port}`;
  const reachable = wildcard
    ? Object.values(networkInterfaces())
        .flatMap((infos) => infos ?? [])
        .filter((info) => !info.internal && (listening.address === "::" || info.family === "IPv4"))
        .map((info) => `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${listening.port}/admin`)
    : [];
  return (
    `cdktf-xero: warning: the emulator listens on ${bound}${wildcard ? " (every interface)" : ""}, not only on loopback: its admin ` +
    `API, which takes no credentials and can create apps, secrets and tokens, is open to every machine that can reach this one` +
    `${reachable.length === 0 ? "" : ` (${reachable.join(", ")})`}.` +
    `${wildcard ? ` The URLs printed (${adminUrl}, …) use loopback, which reaches it from this machine.` : ""}` +
    ` Use --host 127.0.0.1 (the default) unless other machines must reach it.\n`
  );
}

export async function runEmulatorCommand(
  options: EmulatorOptions,
  io: { write(line: string): void; warn(line: string): void; waitForStop(): Promise<unknown> } = {
    write: (line) => process.stdout.write(line),
    warn: (line) => process.stderr.write(line),
    waitForStop: firstStopSignal,
  },
): Promise<void> {
  const emulator = await startEmulator(options).catch((error: unknown) => {
    throw listenError(error, options);
  });
  // Listen for the stop signal before printing: a caller may signal as soon as it reads the line.
  const stopped = io.waitForStop();
  const { loginUrl, identityUrl, apiUrl, adminUrl, listening } = emulator;
  const warning = exposureWarning(listening, adminUrl);
  if (warning !== undefined) io.warn(warning);
  const wildcard = listening.address === "0.0.0.0" || listening.address === "::";
  io.write(`${JSON.stringify({ loginUrl, identityUrl, apiUrl, adminUrl, ...(wildcard ? { listening: `${listening.address}:${listening.port}` } : {}) })}\n`);
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
    .option("--latency-ms <n>", "every answer but the admin API's takes n milliseconds, as Xero's network would (default 0)")
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
