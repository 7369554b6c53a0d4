import type { Command } from "commander";
import { ConfigError } from "../../providers/errors";
import { stageSecret, type StageResult } from "../../providers/lifecycle/rotation/stage";
import { DEFAULT_LOCAL_STATE_DIR } from "../../contract/state-address";
import { backendFromFlag } from "../backend-flag";
import { ENV_NAME_PATTERN, MAX_CLIENT_SECRET_BYTES } from "../../contract/spec-common";

/**
 * `cdktf-xero secret stage <app-document>`: stage a new client secret for an app's rotation
 * (providers/lifecycle/rotation/stage.ts). The secret comes from stdin or a named environment
 * variable, never from an argument (argv shows in `ps`, shell history and CI logs).
 */

export interface SecretCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
  /**
   * Stdin as text, up to the first `limitBytes` bytes: a longer input is cut there (and refused),
   * never read whole.
   */
  readonly readStdin: (limitBytes: number) => Promise<string>;
}

const defaultDeps = (): SecretCommandDeps => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: readAllStdin,
});

interface StageFlags {
  backend: string;
  fromEnv?: string;
  json: boolean;
}

const DEFAULT_BACKEND = `local:${DEFAULT_LOCAL_STATE_DIR}`;

/** Environment variable names as people write them: upper case, digits and `_`. Only these are repeated in errors. */
const CONVENTIONAL_ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function registerSecretCommand(program: Command, overrides: Partial<SecretCommandDeps> = {}): void {
  const deps: SecretCommandDeps = { ...defaultDeps(), ...overrides };
  const secret = program.command("secret").description("client secret rotation: stage a new secret for the next deploy");
  secret
    .command("stage")
    .argument("<app-document>", "the app registration's state document, e.g. billing/BillingApp")
    .option("--backend <address>", "state backend: local:<dir> or pg:<schema> (PG_CONN_STR / PG* for the connection)", DEFAULT_BACKEND)
    .option("--from-env <name>", "read the secret from this environment variable instead of stdin")
    .option("--json", "print the result as JSON (progress lines go to stderr)", false)
    .description("test a new client secret against Xero and stage it as PENDING; the next cdktf deploy promotes it")
    .addHelpText(
      "after",
      `
Generate the secret in the Xero developer portal first (https://developer.xero.com/app/manage), then:

Examples:
  $ pbpaste | cdktf-xero secret stage billing/BillingApp
  $ cdktf-xero secret stage billing/BillingApp --backend pg:cdktf_xero --from-env NEW_XERO_SECRET --json

The secret is never accepted as an argument. Exit 0: staged (or already staged / already current);
1: Xero rejected it or the state backend failed (nothing written); 64: bad flags or input.`,
    )
    .action(async (appDocument: string, flags: StageFlags, command: Command) => {
      // Commander 12 accepts extra arguments silently; one here is most likely the secret itself.
      if (command.args.length > 1) {
        throw new ConfigError(
          "secret stage takes only the app document: never pass the secret as an argument (it shows in the process list, " +
            "shell history and CI logs); pipe it on stdin or name an environment variable with --from-env",
        );
      }
      const address = backendFromFlag(flags.backend, { showValue: false });
      const candidate = await readCandidate(flags, deps);
      const result = await stageSecret(
        { appDocument, backend: address, candidate },
        { env: deps.env, cwd: deps.cwd, stdout: flags.json ? deps.stderr : deps.stdout, stderr: deps.stderr },
      );
      if (flags.json) deps.stdout.write(`${JSON.stringify(result satisfies StageResult)}\n`);
    });
}

async function readCandidate(flags: StageFlags, deps: SecretCommandDeps): Promise<string> {
  if (flags.fromEnv !== undefined) {
    if (!ENV_NAME_PATTERN.test(flags.fromEnv)) {
      // Not echoed: a value here is most likely the secret itself (`--from-env "$NEW_SECRET"`).
      throw new ConfigError(
        "--from-env takes the NAME of an environment variable (letters, digits and _, not starting with a digit), not its value; " +
          "the value given is not shown. Example: --from-env NEW_XERO_SECRET",
      );
    }
    const value = deps.env[flags.fromEnv];
    if (value === undefined || value === "") {
      // A conventional name (NEW_XERO_SECRET) is shown; a mixed-case word may be the secret itself.
      const named = CONVENTIONAL_ENV_NAME.test(flags.fromEnv)
        ? `--from-env ${flags.fromEnv}: that variable`
        : "the variable --from-env names (not shown: it is not an upper-case NAME_LIKE_THIS, so it may be the secret itself)";
      throw new ConfigError(`${named} is not set (or empty) in this environment; nothing was written`);
    }
    return value;
  }
  // One secret, optionally followed by a newline (echo, a here-string, a file).
  // Read one byte past the limit (plus a newline's two) so that stageSecret can tell a too-long input from a full one.
  return (await deps.readStdin(MAX_CLIENT_SECRET_BYTES + 3)).replace(/\r?\n$/, "");
}

function readAllStdin(limitBytes: number): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine(limitBytes);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      process.stdin.off("data", onData);
      resolve(Buffer.concat(chunks).subarray(0, limitBytes).toString("utf8"));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limitBytes) {
        // Enough to know it is too long: stop reading (the writer gets EPIPE) rather than hold it all.
        process.stdin.destroy();
        finish();
      }
    };
    process.stdin.on("data", onData);
    process.stdin.on("end", finish);
    process.stdin.on("error", reject);
  });
}

/** At a terminal: one line read without echo, so a pasted secret never shows on screen or in a recording. */
function readHiddenLine(limitBytes: number): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write("Paste the new client secret (it is not shown), then press Enter: ");
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = "";
    const stop = (): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          stop();
          resolve(text);
          return;
        }
        if (char === "\u0003" || char === "\u0004") {
          stop();
          reject(new ConfigError("cancelled at the prompt; nothing was written"));
          return;
        }
        if (char === "\u007f" || char === "\b") text = text.slice(0, -1);
        else text += char;
        if (Buffer.byteLength(text, "utf8") >= limitBytes) {
          stop();
          resolve(text);
          return;
        }
      }
    };
    stdin.on("data", onData);
  });
}
