import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompiledCli } from "../cli/run-cli";

/** `cdktf-xero drift` refuses bad input before it checks anything, saying what to do. */

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "cdktf-xero-drift-cli-"));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("cdktf-xero drift flags", () => {
  it("refuses a concurrency below 1 with exit 64", async () => {
    expect(await runCompiledCli(["drift", "--concurrency", "0"], { cwd })).toEqual({
      code: 64,
      stdout: "",
      stderr: "cdktf-xero: CONFIG_INVALID: --concurrency must be a whole number from 1 to 1000, got 0\n",
    });
  });

  it("refuses an --as-of that is no RFC 3339 time with exit 64", async () => {
    const run = await runCompiledCli(["drift", "--as-of", "tomorrow"], { cwd });
    expect([run.code, run.stderr]).toEqual([64, "cdktf-xero: CONFIG_INVALID: --as-of must be an RFC 3339 time such as 2027-01-31T00:00:00Z, got tomorrow\n"]);
  });

  it("names a missing acknowledgement file and how to write one", async () => {
    const run = await runCompiledCli(["drift", "--ignore", "drift-ignore"], { cwd });
    expect([run.code, run.stderr]).toEqual([
      64,
      `cdktf-xero: CONFIG_INVALID: --ignore drift-ignore: cannot read ${join(cwd, "drift-ignore")} (ENOENT); write one with --write-ignore drift-ignore, or fix the path\n`,
    ]);
  });

  it("names the file and line of a bad acknowledgement and checks nothing (exit 64)", async () => {
    writeFileSync(join(cwd, "bad-ignore"), "# acknowledged\nbilling/Sync link.not_linked\n");
    const run = await runCompiledCli(["drift", "--ignore", "bad-ignore"], { cwd });
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/^cdktf-xero: DRIFT_IGNORE_FILE_INVALID: bad-ignore:2: has 2 fields, and an acknowledgement needs four/);
    expect(run.stdout).toBe("");
  });

  it("says to synthesize first when there are no stacks and no --backend", async () => {
    const run = await runCompiledCli(["drift"], { cwd });
    expect([run.code, run.stderr]).toEqual([
      64,
      `cdktf-xero: CONFIG_INVALID: no synthesized stacks in ${join(cwd, "cdktf.out", "stacks")}: run \`cdktf synth\` first (drift checks what the synthesized stacks declare), ` +
        "or check every document in a state backend with --backend local:<dir>|pg:<schema>\n",
    ]);
  });

  it("states the default concurrency in --help", async () => {
    const run = await runCompiledCli(["drift", "--help"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Default concurrency: 16 calls at once");
  });
});
