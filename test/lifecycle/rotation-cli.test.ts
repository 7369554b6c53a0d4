import { spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { APP_DOCUMENT, generateSecret, readRotation, registeredApp, ROTATION_DOCUMENT, SECRET_ENV } from "../rotation/support";
import { emulatorEnv, hookVariables, TEST_STATE_KEY, useHookTestWorld } from "./support";

/**
 * `cdktf-xero secret stage` and a rotation's `hook apply` as processes: the compiled CLI, a minimal
 * environment, the secret on stdin or in a named variable. Needs `npm run build`.
 */
const CLI = path.resolve(__dirname, "../../dist/cli/main.js");

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` before these tests (npm test does)`);
});
const world = useHookTestWorld();

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What /proc showed as the process's argument list while it ran. */
  cmdline: string;
}

function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: world.ws.dir,
      // A minimal environment, as a pipeline would give: the emulator's endpoints and the test key only.
      env: { PATH: process.env.PATH ?? "", ...emulatorEnv(world.emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let cmdline = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("spawn", () => {
      // Read the argument list while the process is alive (it waits for stdin until we write).
      fs.readFile(`/proc/${child.pid}/cmdline`, "utf8")
        .then((text) => (cmdline = text.split("\0").join(" ")))
        .catch(() => undefined)
        .finally(() => child.stdin.end(options.stdin ?? ""));
    });
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, cmdline }));
  });
}

describe("cdktf-xero secret stage (compiled CLI in a child process)", () => {
  it("stages a secret piped on stdin and exits 0, the secret never in its argument list, output or files", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    const run = await cli(["secret", "stage", APP_DOCUMENT, "--backend", "local:state"], { stdin: `${second}\n` });
    expect(run.code).toBe(0);
    expect(run.cmdline).toContain(`secret stage ${APP_DOCUMENT} --backend local:state`);
    expect(run.stdout).toContain(`cdktf-xero: Xero accepted the candidate for Custom Connection "Nightly sync" (client id ${app.clientId}); staged it as PENDING`);
    expect((await readRotation(world.ws)).secrets).toEqual({ pending: second });
    expect(`${run.cmdline}${run.stdout}${run.stderr}`).not.toContain(second);
    expect(await world.ws.allText()).not.toContain(second);
  });

  it("reads the secret from the variable --from-env names, and prints the result as JSON with --json", async () => {
    const app = await registeredApp(world.emulator, world.ws, "web");
    const second = await generateSecret(world.emulator, app.clientId);
    const run = await cli(["secret", "stage", APP_DOCUMENT, "--backend", "local:state", "--from-env", "NEW_SECRET", "--json"], {
      env: { NEW_SECRET: second },
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ appDocument: APP_DOCUMENT, document: ROTATION_DOCUMENT, outcome: "staged", generation: 1 });
    expect(run.stderr).toContain("staged it as PENDING");
  });

  it("fails in seconds with exit 1 and ROTATION_CANDIDATE_REJECTED first for a mistyped secret, writing nothing", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const typo = `${await generateSecret(world.emulator, app.clientId)}x`;
    const run = await cli(["secret", "stage", APP_DOCUMENT, "--backend", "local:state"], { stdin: typo });
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(
      `cdktf-xero: ROTATION_CANDIDATE_REJECTED: Xero rejected the candidate secret of Custom Connection "Nightly sync" (client id ` +
        `${app.clientId}) with invalid_client. Check at https://developer.xero.com/app/manage that it is a secret of client id ` +
        `${app.clientId} that was generated for this app and not deleted since (copy it again: a stray space or a truncated paste ` +
        `is the usual cause); nothing was written.`,
    );
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
    expect(`${run.stdout}${run.stderr}`).not.toContain(typo);
  });

  it("refuses a secret given as an argument with exit 64, without echoing it or writing anything", async () => {
    await registeredApp(world.emulator, world.ws, "custom_connection");
    const secret = "an-argument-secret-that-must-not-be-echoed";
    const run = await cli(["secret", "stage", APP_DOCUMENT, secret, "--backend", "local:state"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: secret stage takes only the app document: never pass the secret as an argument (it shows in the " +
        "process list, shell history and CI logs); pipe it on stdin or name an environment variable with --from-env\n",
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("refuses a secret given to --from-env instead of a variable name with exit 64, without echoing it", async () => {
    const secret = "pasted+secret/value=not-a-name";
    const run = await cli(["secret", "stage", APP_DOCUMENT, "--from-env", secret]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: --from-env takes the NAME of an environment variable (letters, digits and _, not starting with a digit), " +
        "not its value; the value given is not shown. Example: --from-env NEW_XERO_SECRET\n",
    );
  });

  it("refuses a secret given in place of the app document with exit 64, without echoing it", async () => {
    const secret = "Sx9QpasteD_InTheWrongPlace-0123456789abcdef";
    const run = await cli(["secret", "stage", secret, "--backend", "local:state"], { stdin: "irrelevant" });
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: the app document must be the app registration's document name, <stack>/<construct path> " +
        "(e.g. billing/Sync: `cdktf-xero state list` shows them); the value given is not shown; nothing was written\n",
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  });

  it("exits 64 when --from-env names a variable that is not set", async () => {
    const run = await cli(["secret", "stage", APP_DOCUMENT, "--from-env", "NOT_SET_HERE"]);
    expect(run).toMatchObject({
      code: 64,
      stderr: "cdktf-xero: CONFIG_INVALID: --from-env NOT_SET_HERE: that variable is not set (or empty) in this environment; nothing was written\n",
    });
  });

  it("exits 64 when stdin holds no secret", async () => {
    const run = await cli(["secret", "stage", APP_DOCUMENT]);
    expect(run).toMatchObject({
      code: 64,
      stderr: "cdktf-xero: CONFIG_INVALID: the candidate secret is empty: pipe it on stdin or name a set variable with --from-env\n",
    });
  });
});

describe("cdktf-xero hook apply of a secret_rotation (compiled CLI in a child process)", () => {
  it("promotes a staged secret and exits 0", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    expect((await cli(["secret", "stage", APP_DOCUMENT, "--backend", "local:state"], { stdin: second })).code).toBe(0);
    const run = await cli(["hook", "apply"], { env: { ...hookVariables(app.spec, 1), [SECRET_ENV]: app.secret } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("promoted: CURRENT is now hmac-sha256:t:");
    expect((await readRotation(world.ws)).secrets).toEqual({ current: second });
  });
});
