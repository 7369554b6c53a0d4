import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runCompiledCli } from "./run-cli";

/**
 * A secret pasted into the wrong place on `cdktf-xero secret stage`'s command line must not come back
 * in any error: not as an unknown option (real Xero secrets may start with `-`), not as an option's
 * `=value`, an extra argument, a --from-env value or a --backend value. Every path exits 64 (nothing
 * was done), with the secret in neither stdout nor stderr, as text or under --json.
 */
const SECRET = "-_Xq9SECRETVALUEdoNotEcho0123456789abcdefABCDEF";
const WORDLIKE_SECRET = "Sup3rS3cretValueDoNotEcho";
const DOC = "billing/Sync";

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), "cdktf-xero-leaks-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const paths: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ["the secret as an unknown short option after the document", ["secret", "stage", DOC, SECRET], SECRET],
  ["the secret as an unknown option before the document", ["secret", "stage", SECRET, DOC], SECRET],
  ["the secret as the value of an unknown --secret= option", ["secret", "stage", DOC, `--secret=${WORDLIKE_SECRET}`], WORDLIKE_SECRET],
  ["the secret as the value of an unknown --secret option", ["secret", "stage", DOC, "--secret", WORDLIKE_SECRET], WORDLIKE_SECRET],
  ["the secret as an extra positional argument", ["secret", "stage", DOC, WORDLIKE_SECRET], WORDLIKE_SECRET],
  ["the secret as an extra argument after --", ["secret", "stage", DOC, "--", SECRET], SECRET],
  ["the secret in place of the app document", ["secret", "stage", WORDLIKE_SECRET], WORDLIKE_SECRET],
  ["the secret in place of the app document after --", ["secret", "stage", "--", SECRET], SECRET],
  ["the secret as a variable name for --from-env that is not set", ["secret", "stage", DOC, "--from-env", WORDLIKE_SECRET], WORDLIKE_SECRET],
  ["the secret as --from-env=<secret>", ["secret", "stage", DOC, `--from-env=${WORDLIKE_SECRET}`], WORDLIKE_SECRET],
  ["a secret that is no variable name given to --from-env", ["secret", "stage", DOC, "--from-env", SECRET], SECRET],
  ["the secret as the --backend value", ["secret", "stage", DOC, "--backend", SECRET], SECRET],
  ["the secret in place of the stage subcommand", ["secret", WORDLIKE_SECRET], WORDLIKE_SECRET],
  ["the secret as an unknown option of secret", ["secret", SECRET], SECRET],
  ["the secret as an unknown option of the program", [SECRET, "secret", "stage", DOC], SECRET],
];

describe("cdktf-xero secret stage with a secret on its command line by mistake", () => {
  it.each(paths)("exits 64 without repeating it: %s", async (_name, args, secret) => {
    const run = await runCompiledCli(args, { cwd });
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/^cdktf-xero: CONFIG_INVALID: /);
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  });

  it.each(paths)("exits 64 without repeating it under --json: %s", async (_name, args, secret) => {
    const run = await runCompiledCli([...args.slice(0, 2), "--json", ...args.slice(2)], { cwd });
    expect(run.code).toBe(64);
    expect(JSON.parse(run.stderr)).toMatchObject({ code: "CONFIG_INVALID" });
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  });
});

describe("cdktf-xero secret stage with a candidate too long for a secret", () => {
  it("refuses 8 MiB on stdin with exit 64 and CONFIG_INVALID naming the limit, echoing none of it", async () => {
    const chunk = "P".repeat(1024);
    const run = await runCompiledCli(["secret", "stage", DOC, "--backend", "local:state"], { cwd, stdin: chunk.repeat(8 * 1024) });
    expect(run).toEqual({
      code: 64,
      stdout: "",
      stderr:
        "cdktf-xero: CONFIG_INVALID: the candidate secret holds more than 4096 bytes, the most a client secret may have (Xero's " +
        "are 48 characters): pipe or name only the secret, as the Xero developer portal shows it; nothing was sent to Xero or written\n",
    });
  });

  it("refuses a --from-env variable over 4096 bytes the same way", async () => {
    const run = await runCompiledCli(["secret", "stage", DOC, "--backend", "local:state", "--from-env", "NEW_SECRET"], {
      cwd,
      env: { NEW_SECRET: "V".repeat(5000) },
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/^cdktf-xero: CONFIG_INVALID: the candidate secret holds more than 4096 bytes/);
    expect(`${run.stdout}${run.stderr}`).not.toContain("VVVV");
  });
});

