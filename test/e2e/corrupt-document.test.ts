/**
 * A credential document damaged on disk, recovered by following the STATE_CORRUPT message literally:
 * real Terraform, the real CLI and the emulator over loopback. The message must name the exact Init
 * resource to replace (the Init hook is what recreates a document, and Terraform runs it only on
 * create), and following it must end with a clean plan.
 */
import { rmSync, truncateSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroScopes, XeroSecret, XeroState } from "../../index";
import { deploy, runCommand, startWorld, synthesize, terraform, type CommandResult, type E2eWorld } from "./support";

const CLI = resolve(__dirname, "../../dist/cli/main.js");
const STACK = "xero-integrations";
const DOCUMENT = `${STACK}/CustomerPortal`;
const REDIRECT_URI = "https://portal.example.com/xero/callback";

describe("a truncated credential document, recovered as the STATE_CORRUPT message says", () => {
  let world: E2eWorld;
  let stateDir: string;
  let stackDir: string;
  let env: Record<string, string>;

  const documentFile = (): string => join(stateDir, `${DOCUMENT}.tfstate`);
  const stateShow = (): Promise<CommandResult> =>
    runCommand(process.execPath, [CLI, "state", "show", DOCUMENT, "--backend", `local:${stateDir}`], { cwd: world.dir, env });

  beforeAll(async () => {
    world = await startWorld();
    // A project root (cdktf.json) holding cdktf.out, as after `cdktf synth`.
    writeFileSync(join(world.dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.js" }));
    stateDir = join(world.dir, ".cdktf-xero", "state");
    const app = await world.emulator.admin.createApp({
      kind: "web",
      name: "Customer portal",
      scopes: ["openid", "offline_access", "accounting.invoices.read"],
      redirectUris: [REDIRECT_URI],
    });
    env = { ...world.env, PORTAL_CLIENT_SECRET: app.clientSecret!, CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 9).toString("base64") };
    stackDir = synthesize(world.dir, STACK, (stack: TerraformStack) => {
      new XeroAppRegistration(stack, "CustomerPortal", {
        kind: XeroAppKind.WEB,
        appName: "Customer portal",
        clientId: app.clientId,
        clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
        scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ],
        redirectUris: [REDIRECT_URI],
        state: XeroState.local(stateDir),
      });
    });
    const applied = await deploy(stackDir, env);
    if (applied.code !== 0) throw new Error(`first deploy failed:\n${applied.stdout}\n${applied.stderr}`);
  });

  afterAll(async () => {
    await world?.close();
  });

  /** The message's two commands: `terraform apply -replace=<address>` in <dir>, and the cdktf deploy form. */
  function advisedCommands(stderr: string): { address: string; directory: string; cdktf: string } {
    const text = stderr.replace(/\s+/g, " ");
    const terraformForm = /`terraform apply -replace=([A-Za-z0-9_.-]+)` in (\S+),/.exec(text);
    const cdktfForm = /`(TF_CLI_ARGS_apply=[^`]+ npx cdktf deploy [^`]+)`/.exec(text);
    if (terraformForm === null || cdktfForm === null) throw new Error(`the message gives no replace command:\n${stderr}`);
    return { address: terraformForm[1]!, directory: terraformForm[2]!, cdktf: cdktfForm[1]! };
  }

  test("names the Init resource to replace, in the stack directory and as a cdktf deploy, for a truncated document", async () => {
    truncateSync(documentFile(), 0);
    const shown = await stateShow();
    expect(shown.code).toBe(1);
    const { address, directory, cdktf } = advisedCommands(shown.stderr);
    expect(address).toMatch(/^terraform_data\.CustomerPortal_Init_[0-9A-F]{8}$/);
    expect(directory).toBe(join("cdktf.out", "stacks", STACK));
    expect(cdktf).toBe(`TF_CLI_ARGS_apply=-replace=${address} npx cdktf deploy ${STACK}`);
    expect(shown.stderr.replace(/\s+/g, " ")).toContain(
      `cdktf-xero: STATE_CORRUPT: state document "${DOCUMENT}" at ${documentFile()} `,
    );
    expect(shown.stderr).toContain(`remove it, then run its construct's Init hook again`);
  });

  test("following the terraform form literally recreates the document and ends with a clean plan", async () => {
    const { address, directory } = advisedCommands((await stateShow()).stderr);
    rmSync(documentFile());
    const applied = await terraform(join(world.dir, directory), ["apply", "-auto-approve", `-replace=${address}`], env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const plan = await terraform(stackDir, ["plan", "-detailed-exitcode"], env);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect((await stateShow()).code).toBe(0);
  });

  test("the cdktf deploy form's TF_CLI_ARGS_apply, which cdktf deploy's terraform apply reads, recovers the same way", async () => {
    truncateSync(documentFile(), 0);
    const { cdktf } = advisedCommands((await stateShow()).stderr);
    rmSync(documentFile());
    const [assignment] = cdktf.split(" ");
    const [name, value] = [assignment!.slice(0, assignment!.indexOf("=")), assignment!.slice(assignment!.indexOf("=") + 1)];
    // cdktf deploy runs `terraform apply` in the stack directory (no saved plan), so the variable reaches it as here.
    const applied = await terraform(stackDir, ["apply", "-auto-approve"], { ...env, [name]: value });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await terraform(stackDir, ["plan", "-detailed-exitcode"], env)).code).toBe(0);
  });
});
