import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { HookSpec } from "../../contract/hook-spec";
import {
  customConnectionApp,
  emulatorEnv,
  hookVariables,
  linkSpec,
  registrationSpec,
  TEST_STATE_KEY,
  useHookTestWorld,
} from "./support";

/**
 * `cdktf-xero hook …` as Terraform's local-exec runs it: the compiled CLI in a child process, the
 * spec in its environment, the stack directory as its working directory. Needs `npm run build`.
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
}

/** Runs the CLI asynchronously (the world.emulator in this process must keep answering). */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // A minimal environment, as a pipeline would give: no inherited XERO_* or state keys.
      { cwd: world.ws.dir, env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

function hookEnv(spec: HookSpec, extra: Record<string, string> = {}): Record<string, string> {
  return { ...emulatorEnv(world.emulator), CDKTF_XERO_STATE_KEY: TEST_STATE_KEY, ...hookVariables(spec), ...extra };
}

describe("cdktf-xero hook (compiled CLI in a child process)", () => {
  it("runs init then apply for a Custom Connection link and exits 0", async () => {
    const app = await customConnectionApp(world.emulator, { orgName: "Demo Company (NZ)" });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: { source: "env", name: "SYNC_SECRET" } });
    const env = hookEnv(spec, { SYNC_SECRET: app.clientSecret });
    const init = await cli(["hook", "init"], env);
    expect(init).toMatchObject({ code: 0, stderr: "" });
    const apply = await cli(["hook", "apply"], env);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`is linked to "Demo Company (NZ)" (tenant id ${app.tenantId}, ORGANISATION); recorded in local:`);
  });

  it("prints one clear line first and exits 1 when Xero rejects the secret, without the secret anywhere", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: "SYNC_SECRET" },
      scopes: ["accounting.invoices.read"],
    });
    const wrong = "this-wrong-secret-must-never-be-printed";
    const run = await cli(["hook", "apply"], hookEnv(spec, { SYNC_SECRET: wrong }));
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(
      `cdktf-xero: HOOK_INVALID_CLIENT: Xero rejected the credentials of Custom Connection "Nightly sync" (client id ${app.clientId}) ` +
        `with invalid_client. Check at https://developer.xero.com/app/manage that client id ${app.clientId} is the one the portal ` +
        `shows for this app and that the secret in environment variable SYNC_SECRET is one of its current secrets (generate ` +
        `another one if it was deleted); nothing was recorded.`,
    );
    expect(`${run.stdout}${run.stderr}${await world.ws.allText()}`).not.toContain(wrong);
  });

  it("never prints the secret on success", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = registrationSpec(world.ws.backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: "SYNC_SECRET" },
      scopes: ["accounting.invoices.read"],
    });
    const run = await cli(["hook", "apply"], hookEnv(spec, { SYNC_SECRET: app.clientSecret }));
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}${await world.ws.allText()}`).not.toContain(app.clientSecret);
  });

  it("exits 64 with CONFIG_INVALID when CDKTF_XERO_SPEC is missing", async () => {
    const run = await cli(["hook", "apply"], {});
    expect(run.code).toBe(64);
    expect(run.stderr.split("\n")[0]).toBe(
      "cdktf-xero: CONFIG_INVALID: CDKTF_XERO_SPEC is not set: `cdktf-xero hook apply` is run by Terraform's local-exec " +
        "provisioners of a synthesized cdktf-xero stack, which pass the hook spec in it; run `cdktf deploy` instead of calling the hook by hand",
    );
  });

  it("exits 64 naming every problem of an invalid spec", async () => {
    const run = await cli(["hook", "init"], { CDKTF_XERO_SPEC: JSON.stringify({ version: 1, kind: "app_registration" }) });
    expect(run.code).toBe(64);
    expect(run.stderr.split("\n")[0]).toMatch(/^cdktf-xero: CONFIG_INVALID: invalid hook spec: spec\.document must be a non-empty string, got nothing; .*; synthesize the stack again with this version of cdktf-xero \(`cdktf synth`\)$/);
  });

  it("prints the result as one JSON line with --json, progress on stderr", async () => {
    const app = await customConnectionApp(world.emulator);
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: { source: "env", name: "SYNC_SECRET" } });
    const run = await cli(["hook", "apply", "--json"], hookEnv(spec, { SYNC_SECRET: app.clientSecret }));
    expect(run.code).toBe(0);
    const result: unknown = JSON.parse(run.stdout);
    expect(result).toMatchObject({ verb: "apply", document: "billing/Link", outcome: "recorded", serial: 1, outputs: { tenant_id: app.tenantId } });
    expect(run.stderr).toContain("is linked to");
  });
});
