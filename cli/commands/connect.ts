import { spawn } from "node:child_process";
import type { Command } from "commander";
import { DEFAULT_LOCAL_STATE_DIR } from "../../contract/state-address";
import { ConfigError } from "../../providers/errors";
import type { ConnectOutcome } from "../../providers/tokens/connect-connection";
import { backendFromFlag } from "../backend-flag";

/**
 * `cdktf-xero connect <document>`: a person consents to a declared XeroOAuthConnection in a browser
 * (or pastes the redirect with --manual); the token set is stored in the document, and the next
 * `cdktf deploy` verifies tenants and scopes. Prints the URL, who consented and what it covers;
 * never a token.
 */

export interface ConnectCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
  /** Opens a URL in the desktop's browser; false when there is none. */
  readonly openBrowser: (url: string) => Promise<boolean>;
  /** One line from stdin: the pasted redirect URL. */
  readonly readLine: () => Promise<string>;
}

const defaultDeps = (): ConnectCommandDeps => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  openBrowser: (url) => openInBrowser(url, process.platform, process.env),
  readLine: readStdinLine,
});

interface ConnectFlags {
  backend: string;
  port?: string;
  browser: boolean;
  manual: boolean;
}

const DEFAULT_BACKEND = `local:${DEFAULT_LOCAL_STATE_DIR}`;

export function registerConnectCommand(program: Command, overrides: Partial<ConnectCommandDeps> = {}): void {
  const deps: ConnectCommandDeps = { ...defaultDeps(), ...overrides };
  program
    .command("connect")
    .argument("<document>", "the XeroOAuthConnection's state document, e.g. crm/CrmConnection")
    .option("--backend <address>", "state backend: local:<dir> or pg:<schema> (PG_CONN_STR / PG* for the connection)", DEFAULT_BACKEND)
    .option("--port <port>", "use the app's loopback redirect URI on this port (default: its first one)")
    .option("--no-browser", "only print the URL to open (default: also open it in this machine's browser where there is one)")
    .option("--manual", "for a machine without a browser: consent anywhere and paste the URL you were redirected to", false)
    .description("consent to a declared Xero connection in a browser and store its token set for `cdktf deploy` to verify")
    .addHelpText(
      "after",
      `
Examples:
  $ cdktf-xero connect crm/CrmConnection
  $ cdktf-xero connect crm/CrmConnection --backend pg:cdktf_xero --no-browser
  $ cdktf-xero connect crm/CrmConnection --manual

The app needs a loopback redirect URI (http://localhost:PORT/path) registered in the Xero developer
portal and declared in its redirectUris. Exit 0: consent stored; 1: declined, timed out or failed
(nothing stored); 64: bad flags.`,
    )
    .action(async (document: string, flags: ConnectFlags) => {
      const address = backendFromFlag(flags.backend, { showValue: true });
      const port = flags.port === undefined ? undefined : portOf(flags.port);
      const { connectConnection } = require("../../providers/tokens/connect-connection") as typeof import("../../providers/tokens/connect-connection");
      const outcome = await connectConnection(
        { document, backend: address, backendFlag: `--backend ${flags.backend}`, mode: flags.manual ? "manual" : "loopback", ...(port === undefined ? {} : { port }) },
        {
          env: deps.env,
          cwd: deps.cwd,
          output: (line) => deps.stdout.write(`${line}\n`),
          stderr: deps.stderr,
          ...(flags.browser && !flags.manual ? { openBrowser: deps.openBrowser } : {}),
          input: deps.readLine,
        },
      );
      deps.stdout.write(renderOutcome(outcome));
    });
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new ConfigError(`--port must be a port number from 1 to 65535, got ${JSON.stringify(text)}; nothing was done`);
  return port;
}

export function renderOutcome(outcome: ConnectOutcome): string {
  const who = outcome.userName === "" ? outcome.userEmail : `${outcome.userName} <${outcome.userEmail}>`;
  const tenants = outcome.tenants.map((tenant) => `  - ${tenant.tenantName} (tenant id ${tenant.tenantId})`);
  return [
    `cdktf-xero: ${outcome.document}: ${who} consented; the token set is stored (generation ${outcome.generation}).`,
    `Organisations (${outcome.tenants.length}):`,
    ...(tenants.length === 0 ? ["  (none: the consent covers no organisation)"] : tenants),
    `Scopes: ${[...outcome.grantedScopes].sort().join(" ")}`,
    "The next `cdktf deploy` verifies these organisations and scopes against the declaration.",
    "",
  ].join("\n");
}

/**
 * The desktop's URL opener, with the URL as its one argument (no shell): `open` on macOS,
 * `rundll32 url.dll,FileProtocolHandler` on Windows, `xdg-open` where X11 or Wayland runs. False
 * (print only) on a machine without a desktop or when the opener cannot be started.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  const opener: [string, string[]] | undefined =
    platform === "darwin"
      ? ["open", [url]]
      : platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
        : env["DISPLAY"] || env["WAYLAND_DISPLAY"]
          ? ["xdg-open", [url]]
          : undefined;
  if (opener === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener[0], opener[1], { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}

/** The first line on stdin (the pasted redirect URL), without its line break. */
function readStdinLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const done = (): void => {
      process.stdin.off("data", onData);
      process.stdin.off("end", done);
      process.stdin.pause();
      resolve(text.split(/\r?\n/)[0] ?? "");
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      if (/\r?\n/.test(text) || text.length > 16_384) done();
    };
    process.stdin.on("data", onData);
    process.stdin.once("end", done);
    process.stdin.once("error", reject);
  });
}
