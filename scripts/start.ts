/**
 * `npm start`: the whole product in one command, on the embedded Xero emulator.
 *
 * Starts the emulator on a free loopback port, registers the reference app's three Xero apps and an
 * organisation through its admin API (what a person does in Xero's developer portal), links the
 * Custom Connection, then runs the real `cdktf deploy` of main.ts with the endpoints, client ids and
 * secrets in the environment, the way a pipeline passes them. Prints the outputs and stops the emulator.
 *
 *   node dist/scripts/start.js [--project-dir DIR]
 *
 * The deploy runs in the project root (the Terraform state and .cdktf-xero/ it leaves are git-ignored),
 * or in DIR, which gets a cdktf.json that runs this checkout's main.ts: the tests deploy there, so the
 * state of the user's own `npm start` survives `npm test`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator } from "../emulator";
import { registerDemoApps, terraformEnv } from "./demo-apps";
import { terraformBinary } from "./terraform-binary";

const projectRoot = resolve(__dirname, "..", "..");
const stackName = "xero-integrations";

/** Where `cdktf deploy` runs: the project root, or a directory given with --project-dir. */
function projectDirectory(args: readonly string[]): string {
  if (args.length === 0) return projectRoot;
  if (args.length !== 2 || args[0] !== "--project-dir" || args[1] === "") {
    throw new Error(`unexpected arguments ${JSON.stringify(args)}: the only option is --project-dir DIR`);
  }
  const dir = resolve(args[1]!);
  if (dir !== projectRoot) {
    mkdirSync(dir, { recursive: true });
    const config: unknown = JSON.parse(readFileSync(join(projectRoot, "cdktf.json"), "utf8"));
    const app = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(projectRoot, "dist", "main.js"))}`;
    writeFileSync(join(dir, "cdktf.json"), `${JSON.stringify({ ...(config as object), app }, null, 2)}\n`);
  }
  return dir;
}

async function main(): Promise<number> {
  const binary = terraformBinary();
  const terraform = spawnSync(binary, ["version"], { encoding: "utf8" });
  if (terraform.error !== undefined || terraform.status !== 0) {
    process.stderr.write(
      `npm start: ${binary} is not on PATH. Install Terraform >= 1.5 and run npm start again ` +
        "(or name another binary, such as OpenTofu's, in TERRAFORM_BINARY_NAME; untested).\n",
    );
    return 1;
  }

  const projectDir = projectDirectory(process.argv.slice(2));
  const emulator = await startEmulator({ autoConsent: true });
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-start-"));
  try {
    const env = { ...process.env, ...(await registerDemoApps(emulator)), ...terraformEnv(scratch) };
    process.stdout.write(`Xero emulator: ${emulator.identityUrl} (admin ${emulator.adminUrl})\n`);
    process.stdout.write(`Deploying stack "${stackName}" from main.ts with cdktf deploy…\n\n`);

    const outputsFile = join(scratch, "outputs.json");
    const cdktf = join(projectRoot, "node_modules", ".bin", "cdktf");
    const code = await run(cdktf, ["deploy", stackName, "--auto-approve", "--outputs-file", outputsFile, "--outputs-file-include-sensitive-outputs=false"], env, projectDir);
    if (code !== 0) {
      process.stderr.write(`\nnpm start: cdktf deploy failed (exit ${code}); the first lines above say why.\n`);
      return code;
    }
    printOutputs(outputsFile);
    return 0;
  } finally {
    await emulator.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolvePromise(code ?? (signal === null ? 1 : 128)));
  });
}

function printOutputs(outputsFile: string): void {
  if (!existsSync(outputsFile)) return;
  const parsed: unknown = JSON.parse(readFileSync(outputsFile, "utf8"));
  const outputs = (parsed as Record<string, Record<string, unknown>>)[stackName] ?? {};
  process.stdout.write("\nOutputs of the reference app (also in Terraform's state, usable by other resources):\n");
  for (const [name, value] of Object.entries(outputs)) {
    process.stdout.write(`  ${name} = ${typeof value === "string" ? value : JSON.stringify(value)}\n`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
