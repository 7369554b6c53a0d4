/**
 * Terraform starts one CLI process per hook resource, so what `cdktf-xero hook <verb>` loads is paid
 * hundreds of times per deploy: the hook runs without commander (cli/main.ts's fast path) and
 * without axios (loaded on the first Xero request, which `hook init` never sends).
 */
import { HookEnv } from "../../contract/hook-spec";

/** Runs the CLI with `commander` and `axios` made unloadable; resolves to the exit code and stderr. */
async function runWithout(modules: readonly string[], argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const write = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const saved = process.env[HookEnv.spec];
  delete process.env[HookEnv.spec];
  try {
    let code = Number.NaN;
    // Async isolation: the CLI loads its command modules while it runs, and they must come from
    // the same registry as cli/run.ts (which maps errors by class).
    await jest.isolateModulesAsync(async () => {
      for (const name of modules) {
        jest.doMock(name, () => {
          throw new Error(`${name} was loaded`);
        });
      }
      code = await (require("../../cli/main") as typeof import("../../cli/main")).runCli(argv);
    });
    return { code, stderr };
  } finally {
    if (saved !== undefined) process.env[HookEnv.spec] = saved;
    for (const name of modules) jest.dontMock(name);
    write.mockRestore();
    process.exitCode = undefined;
  }
}

describe("cdktf-xero hook <verb>", () => {
  it("runs the hook without loading commander or axios", async () => {
    const run = await runWithout(["commander", "axios"], ["hook", "init"]);
    expect(run.code).toBe(64);
    expect(run.stderr.split("\n")[0]).toMatch(/^cdktf-xero: CONFIG_INVALID: CDKTF_XERO_SPEC is not set: `cdktf-xero hook init` is run by Terraform's/);
  });

  it("takes --json on the fast path too", async () => {
    const run = await runWithout(["commander", "axios"], ["hook", "apply", "--json"]);
    expect(run.code).toBe(64);
    expect(JSON.parse(run.stderr.split("\n")[0] ?? "")).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/^CDKTF_XERO_SPEC is not set: `cdktf-xero hook apply`/) });
  });

  it("leaves any other argument list to commander, which rejects an unknown option as a usage error", async () => {
    const run = await runWithout(["axios"], ["hook", "init", "--jsn"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      "cdktf-xero: CONFIG_INVALID: cdktf-xero hook init: an unexpected argument (not shown: it may be a secret) is not one of its " +
        "options (did you mean --json?); run `cdktf-xero hook init --help` for its usage; nothing was done\n",
    );
  });
});
