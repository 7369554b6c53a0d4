/**
 * Synthesize in one checkout, deploy from another: cdk.tf.json carries only paths relative to the
 * stack directory (the hook script, the embedded state directory, a file secret), so a pipeline may
 * synthesize in one job and apply in another whose workspace lives elsewhere.
 *
 * Two checkouts with the same layout (package.json, cdktf.json, a copy of dist/, node_modules as a
 * link to this project's): the stack is synthesized in the first, its cdktf.out copied to the
 * second, the first removed, and Terraform run in the second.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, outputs, startWorld, terraform, type CommandResult, type E2eWorld } from "./support";

const STACK = "moved";
const PROJECT_ROOT = join(__dirname, "..", "..");
const SCOPES = ["accounting.invoices.read"];
const REDIRECT_URI = "https://portal.example.com/xero/callback";
/** What a checkout needs to run the CLI and synthesize: the rest of the repository is not used. */
const PROJECT_FILES = ["package.json", "cdktf.json"];

/** A checkout of this project at `dir`: its files, a copy of the compiled dist/, node_modules linked. */
function makeCheckout(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of PROJECT_FILES) cpSync(join(PROJECT_ROOT, file), join(dir, file));
  // A copy, not a link: the constructs find the package root (and so the hook script) from their own location.
  cpSync(join(PROJECT_ROOT, "dist"), join(dir, "dist"), {
    recursive: true,
    filter: (source) => !source.endsWith(".map") && !source.endsWith(".d.ts"),
  });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
}

/** The synth program, run with the checkout as working directory (as `cdktf synth` runs `node dist/main.js`). */
const SYNTH_PROGRAM = `
const { App, LocalBackend, TerraformOutput, TerraformStack } = require("cdktf");
const x = require("./dist/index.js");
const input = JSON.parse(process.env.SYNTH_INPUT);
const app = new App({ outdir: "cdktf.out", skipValidation: true });
const stack = new TerraformStack(app, ${JSON.stringify(STACK)});
new LocalBackend(stack, { path: "../../../terraform.${STACK}.tfstate" });
const sync = new x.XeroAppRegistration(stack, "Sync", {
  kind: x.XeroAppKind.CUSTOM_CONNECTION, appName: "Nightly sync", clientId: input.syncClientId,
  clientSecret: x.XeroSecret.fromEnv("SYNC_CLIENT_SECRET"), scopes: input.scopes,
});
const link = new x.XeroCustomConnection(stack, "SyncLink", { app: sync, expectedTenantId: input.tenantId });
new x.XeroAppRegistration(stack, "Portal", {
  kind: x.XeroAppKind.WEB, appName: "Customer portal", clientId: input.portalClientId,
  clientSecret: x.XeroSecret.fromFile("secrets/portal-client-secret"), redirectUris: [input.redirectUri], scopes: input.scopes,
});
new TerraformOutput(stack, "tenant_id", { value: link.tenantId });
app.synth();
`;

/**
 * A file's text for the path check. cdktf's manifest.json keeps the stack trace of every construct
 * warning (absolute paths of the synthesizing checkout's dist/ and node_modules/); only cdktf-cli
 * reads it, to print the warnings, and Terraform never does. Those traces are dropped here and the
 * rest of the manifest is checked like any other file.
 */
function textForPathCheck(file: string): string {
  const text = readFileSync(file, "utf8");
  if (!file.endsWith(join("cdktf.out", "manifest.json"))) return text;
  const manifest = JSON.parse(text) as { stacks?: Record<string, { annotations?: { stacktrace?: unknown }[] }> };
  for (const stack of Object.values(manifest.stacks ?? {})) for (const annotation of stack.annotations ?? []) delete annotation.stacktrace;
  return JSON.stringify(manifest);
}

/** Every file under `dir`, not following the node_modules link and skipping the copied dist/. */
function projectFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === "node_modules" || entry === "dist") return [];
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? projectFilesUnder(full) : [full];
  });
}

describe("a stack synthesized in one checkout and deployed from another", () => {
  let world: E2eWorld;
  let first: string;
  let second: string;
  let tenantId: string;
  let applied: CommandResult;
  let stackDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await startWorld();
    first = join(world.dir, "checkout-first");
    second = join(world.dir, "elsewhere", "checkout-second");
    const sync = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Nightly sync", scopes: SCOPES });
    const portal = await world.emulator.admin.createApp({ kind: "web", name: "Customer portal", scopes: SCOPES, redirectUris: [REDIRECT_URI] });
    tenantId = (await world.emulator.admin.createOrg({ name: "Demo Company (NZ)" })).tenantId;
    await world.emulator.admin.link(sync.clientId, tenantId);

    makeCheckout(first);
    const synth = spawnSync(process.execPath, ["-e", SYNTH_PROGRAM], {
      cwd: first,
      env: {
        ...process.env,
        SYNTH_INPUT: JSON.stringify({ syncClientId: sync.clientId, portalClientId: portal.clientId, tenantId, scopes: SCOPES, redirectUri: REDIRECT_URI }),
      },
      encoding: "utf8",
    });
    if (synth.status !== 0) throw new Error(`synth in the first checkout failed:\n${synth.stdout}\n${synth.stderr}`);

    makeCheckout(second);
    cpSync(join(first, "cdktf.out"), join(second, "cdktf.out"), { recursive: true });
    mkdirSync(join(second, "secrets"));
    writeFileSync(join(second, "secrets", "portal-client-secret"), `${portal.clientSecret!}\n`, { mode: 0o600 });
    rmSync(first, { recursive: true, force: true });

    env = { ...world.env, SYNC_CLIENT_SECRET: sync.clientSecret! };
    stackDir = join(second, "cdktf.out", "stacks", STACK);
    applied = await deploy(stackDir, env);
  });

  afterAll(async () => {
    await world?.close();
  });

  test("the deploy from the second checkout succeeds and reads back the emulator's tenant", async () => {
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(await outputs(stackDir, env)).toEqual({ tenant_id: tenantId });
  });

  test("the hooks ran the second checkout's CLI and wrote its embedded state directory", () => {
    const synthesized = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
    const commands = [...new Set([...synthesized.matchAll(/"command": "([^"]*)"/g)].map((match) => match[1]))].sort();
    expect(commands).toEqual(["destroy", "init", "apply"].sort().map((verb) => `node ../../../dist/cli/hook-launcher.js hook ${verb}`));
    for (const document of ["Sync", "SyncLink", "Portal"]) {
      expect(existsSync(join(second, ".cdktf-xero", "state", STACK, `${document}.tfstate`))).toBe(true);
    }
  });

  test("nothing was written at the first location, which was removed before the deploy", () => {
    expect(existsSync(first)).toBe(false);
  });

  test("no absolute path of the first location appears in cdktf.out, Terraform state, the documents or Terraform's output", async () => {
    const shown = await terraform(stackDir, ["show", "-json"], env);
    const haystacks = [
      { where: "terraform apply output", text: `${applied.stdout}\n${applied.stderr}` },
      { where: "terraform show -json", text: shown.stdout },
      ...projectFilesUnder(second).map((file) => ({ where: file.slice(second.length + 1), text: textForPathCheck(file) })),
    ];
    expect(haystacks.map((haystack) => haystack.where)).toEqual(
      expect.arrayContaining([join("cdktf.out", "stacks", STACK, "cdk.tf.json"), `terraform.${STACK}.tfstate`]),
    );
    expect(haystacks.filter(({ text }) => text.includes(first)).map(({ where }) => where)).toEqual([]);
  });
});
