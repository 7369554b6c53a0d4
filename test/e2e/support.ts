/**
 * End-to-end fixtures: a real emulator on loopback, stacks synthesized into a temporary directory,
 * and the real `terraform` binary run against them. No mocks.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { EmulatorOptions } from "../../emulator";
import type { StateBackendAddress } from "../../contract/state-address";
import { requirePostgres } from "../support/postgres";
import { terraformBinary } from "../../scripts/terraform-binary";

export { requirePostgres };

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface E2eWorld {
  readonly emulator: RunningEmulator;
  /** Scratch directory holding cdktf.out, the state backend and Terraform's own state. */
  readonly dir: string;
  /** Variables a pipeline would export: endpoints, an empty Terraform CLI config. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startWorld(options: EmulatorOptions = {}): Promise<E2eWorld> {
  const emulator = await startEmulator(options);
  const dir = mkdtempSync(join(tmpdir(), "cdktf-xero-e2e-"));
  const terraformrc = join(dir, "terraformrc");
  writeFileSync(terraformrc, "");
  const env = {
    XERO_LOGIN_URL: emulator.loginUrl,
    XERO_IDENTITY_URL: emulator.identityUrl,
    XERO_API_URL: emulator.apiUrl,
    TF_CLI_CONFIG_FILE: terraformrc,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
  };
  return {
    emulator,
    dir,
    env,
    async close() {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Synthesizes one stack into `<dir>/cdktf.out` and returns its stack directory. Terraform's own state
 * is kept next to it, so re-synthesizing (a code change) keeps the deployed resources.
 */
export function synthesize(dir: string, stackName: string, build: (stack: TerraformStack) => void): string {
  const outdir = join(dir, "cdktf.out");
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, stackName);
  new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  build(stack);
  app.synth();
  return join(outdir, "stacks", stackName);
}

/**
 * Runs a command without blocking the event loop: the emulator answering the hooks lives in this
 * process, so a synchronous spawn would deadlock.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; /** written to stdin, then closed */ input?: string },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(command, [...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: [stdin, "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** `terraform <args>` in a stack directory, with `-no-color -input=false` where they apply. */
export async function terraform(stackDir: string, args: readonly string[], env: Record<string, string>): Promise<CommandResult> {
  const flags = ["init", "plan", "apply", "destroy", "output", "show"].includes(args[0] ?? "") ? ["-no-color"] : [];
  const input = ["init", "plan", "apply", "destroy"].includes(args[0] ?? "") ? ["-input=false"] : [];
  return runCommand(terraformBinary(), [...args, ...flags, ...input], { cwd: stackDir, env });
}

/**
 * Terraform's output with its line wrapping undone. Diagnostics wrap at word boundaries, so where a
 * phrase breaks depends on the lengths before it (the checkout's path, a client id): match on this.
 */
export function unwrapped(text: string): string {
  return text.replace(/\s+/g, " ");
}

/**
 * init (once per stack directory) + apply, failing the test with Terraform's own words when init
 * fails. Synthesizing again keeps the stack directory's `.terraform` (cdktf's App.synth only writes),
 * and these stacks keep their backend and use only Terraform's built-in providers or ones the first
 * init installed, so a second init would find nothing to do: a re-synthesized stack that needed one
 * would make apply fail, saying to run init, never pass quietly.
 */
export async function deploy(stackDir: string, env: Record<string, string>): Promise<CommandResult> {
  if (!existsSync(join(stackDir, ".terraform", "terraform.tfstate"))) {
    const init = await terraform(stackDir, ["init"], env);
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
  }
  return terraform(stackDir, ["apply", "-auto-approve"], env);
}

/** Terraform's outputs as plain values. */
export async function outputs(stackDir: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const result = await terraform(stackDir, ["output", "-json"], env);
  if (result.code !== 0) throw new Error(`terraform output failed:\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, output.value]));
}

/**
 * Addresses Terraform plans to replace, from the plan's machine-readable output (`plan -json`): one
 * `planned_change` line per change, whose action is "replace" for a delete-and-create either way
 * round. One Terraform run, where saving the plan and reading it back with `show -json` took two.
 */
export async function plannedReplacements(stackDir: string, env: Record<string, string>): Promise<{ exitCode: number; replaced: string[] }> {
  const plan = await terraform(stackDir, ["plan", "-detailed-exitcode", "-json"], env);
  if (plan.code === 1) throw new Error(`terraform plan failed:\n${plan.stdout}\n${plan.stderr}`);
  const messages = plan.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { type: string; change?: { action: string; resource: { addr: string } } });
  const replaced = messages
    .filter((message) => message.type === "planned_change" && message.change?.action === "replace")
    .map((message) => message.change!.resource.addr)
    .sort();
  return { exitCode: plan.code, replaced };
}

/** Where a suite's documents go, per backend: a directory in the scratch dir, or a schema of its own. */
export function documentBackends(schemaPrefix: string): [string, (scratch: string) => StateBackendAddress][] {
  return [
    ["local", (scratch) => ({ type: "local", dir: join(scratch, "state") })],
    ["pg", () => {
      requirePostgres();
      return { type: "pg", schema: `${schemaPrefix}_${process.pid}_${Date.now() % 100000}` };
    }],
  ];
}

/** Every file under `dir`; Terraform's `.terraform` working directory only when asked. */
export function filesUnder(dir: string, options: { includeTerraformDir?: boolean } = {}): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    if (entry === ".terraform" && options.includeTerraformDir !== true) return [];
    return statSync(full).isDirectory() ? filesUnder(full, options) : [full];
  });
}

/** The raw `states` rows of a pg backend's schema, as Terraform's pg backend stores them. */
export async function readStateRows(address: StateBackendAddress): Promise<unknown[]> {
  if (address.type !== "pg") return [];
  const { Client } = await import("pg");
  const client = new Client({ connectionString: requirePostgres() });
  await client.connect();
  try {
    return (await client.query(`select name, data from "${address.schema}".states`)).rows;
  } finally {
    await client.end();
  }
}
