import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describeErrorAsJson, wantsJson } from "../../cli/run";
import { ConfigError } from "../../providers/errors";
import { runCompiledCli } from "./run-cli";

/** The program as a whole: its version, and how commander's parse errors and --json errors are reported. */
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), "cdktf-xero-program-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("cdktf-xero", () => {
  it("prints the version from package.json for --version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    expect(await runCompiledCli(["--version"], { cwd })).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("reports an unknown option as CONFIG_INVALID with exit 64, naming the command and its help but not the option", async () => {
    expect(await runCompiledCli(["state", "list", "--bogus-flag"], { cwd })).toEqual({
      code: 64,
      stdout: "",
      stderr:
        "cdktf-xero: CONFIG_INVALID: cdktf-xero state list: an unexpected argument (not shown: it may be a secret) is not one of " +
        "its options; run `cdktf-xero state list --help` for its usage; nothing was done\n",
    });
  });

  it("suggests the option an unknown one resembles, without repeating what was typed", async () => {
    const run = await runCompiledCli(["secret", "stage", "billing/Sync", "--bakend", "local:state"], { cwd });
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: cdktf-xero secret stage: an unexpected argument (not shown: it may be a secret) is not one of " +
        "its options (did you mean --backend?); run `cdktf-xero secret stage --help` for its usage; nothing was done\n",
    );
  });

  it("reports an unknown command as CONFIG_INVALID with exit 64, without repeating it", async () => {
    expect(await runCompiledCli(["state", "lst"], { cwd })).toEqual({
      code: 64,
      stdout: "",
      stderr:
        "cdktf-xero: CONFIG_INVALID: cdktf-xero state: an unexpected argument (not shown: it may be a secret) is not one of its " +
        "commands (did you mean list?); run `cdktf-xero state --help` for its usage; nothing was done\n",
    });
  });

  it("names a missing argument and the command's help", async () => {
    const run = await runCompiledCli(["state", "show"], { cwd });
    expect(run).toMatchObject({ code: 64, stdout: "" });
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: cdktf-xero state show: missing required argument 'document'; run `cdktf-xero state show --help` " +
        "for its usage; nothing was done\n",
    );
  });

  it("prints an error under --json as one JSON object with code and message on stderr", async () => {
    const run = await runCompiledCli(["state", "list", "--json", "--backend", "s3:bucket"], { cwd });
    expect(run.code).toBe(64);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `${JSON.stringify({
        code: "CONFIG_INVALID",
        message: "--backend must be local:<dir> or pg:<schema> (schema: lower-case letters, digits, _), got s3:bucket",
      })}\n`,
    );
  });

  it("prints a parse error under --json as one JSON object too", async () => {
    const run = await runCompiledCli(["state", "list", "--json", "--bogus-flag"], { cwd });
    expect(run.code).toBe(64);
    expect(JSON.parse(run.stderr)).toEqual({
      code: "CONFIG_INVALID",
      message:
        "cdktf-xero state list: an unexpected argument (not shown: it may be a secret) is not one of its options; run " +
        "`cdktf-xero state list --help` for its usage; nothing was done",
    });
  });
});

describe("describeErrorAsJson", () => {
  it("gives an error cdktf-xero did not raise on purpose the code UNEXPECTED_ERROR", () => {
    expect(describeErrorAsJson(new Error("boom"))).toBe('{"code":"UNEXPECTED_ERROR","message":"boom"}');
    expect(describeErrorAsJson(new ConfigError("bad flag"))).toBe('{"code":"CONFIG_INVALID","message":"bad flag"}');
  });
});

describe("wantsJson", () => {
  it("reads --json only before a -- that ends the options", () => {
    expect([wantsJson(["state", "list", "--json"]), wantsJson(["secret", "stage", "a/b", "--", "--json"])]).toEqual([true, false]);
  });
});
