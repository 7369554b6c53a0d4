/**
 * cdktf-xero as a newcomer and a consuming project get it: a fresh copy of this checkout installed
 * with `npm ci` (which builds), its `cdktf-xero` bin and `cdktf synth`, then the tarball `npm pack`
 * makes, installed into a separate cdktf project that synthesizes and deploys with real Terraform
 * against the emulator. Packages come from npm's cache, filled by this checkout's own install.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { PROJECT_ROOT } from "../support/checkout";
import { REGISTRY_CA_CERTS_VARIABLE } from "../global-setup";
import { runCommand, terraform, type CommandResult } from "./support";

// A fresh npm ci, a pack and a second install: minutes on a busy machine, more than the default net.
jest.setTimeout(1_200_000);

const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

/**
 * What npm needs to reach the registry: the machine's extra CA bundle, which the test run keeps out
 * of every other process (test/global-setup.ts) but the installs may need (a proxy's certificate).
 */
function registryEnv(): Record<string, string> {
  const bundle = process.env[REGISTRY_CA_CERTS_VARIABLE] ?? process.env.NODE_EXTRA_CA_CERTS;
  return bundle === undefined ? {} : { NODE_EXTRA_CA_CERTS: bundle };
}

let scratch: string;
let clone: string;
let installed: CommandResult;

/** The files a fresh clone of the working tree has: tracked ones and new ones git does not ignore. */
function copyWorkingTree(to: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(PROJECT_ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, file), join(to, file));
  }
}

function terraformEnv(): Record<string, string> {
  const rc = join(scratch, "terraformrc");
  if (!existsSync(rc)) writeFileSync(rc, "");
  return { TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-package-"));
  clone = join(scratch, "checkout");
  copyWorkingTree(clone);
  installed = await runCommand("npm", ["ci", ...NPM_FLAGS], { cwd: clone, env: registryEnv() });
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("a fresh checkout", () => {
  test("npm ci installs and builds it (the prepare script)", () => {
    expect(installed.stderr).not.toMatch(/npm error/);
    expect(installed.code).toBe(0);
    expect(existsSync(join(clone, "dist", "cli", "hook-bundle.js"))).toBe(true);
  });

  test("npx --no-install cdktf-xero --help runs the built CLI", async () => {
    // npx links the checkout into <npm cache>/_npx/<hash of its path> and runs the bin from there: a
    // cache of its own keeps that link out of the user's. Linking would run the checkout's prepare
    // script once more, rebuilding what npm ci's build (the test above) just built, in the same
    // directory: ignore-scripts skips that second build (~8 CPU-seconds), so the bin runs the build
    // from npm ci, the one a newcomer's checkout has.
    const result = await runCommand("npx", ["--no-install", "cdktf-xero", "--help"], {
      cwd: clone,
      env: { npm_config_cache: join(scratch, "npx-cache"), npm_config_ignore_scripts: "true" },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: cdktf-xero");
  });

  test("npx cdktf synth synthesizes the reference app right after the install", async () => {
    const result = await runCommand("npx", ["--no-install", "cdktf", "synth"], {
      cwd: clone,
      env: {
        ...terraformEnv(),
        XERO_SYNC_CLIENT_ID: "6E4D953BAAE949D1A1B399307AD58B94",
        XERO_WEB_CLIENT_ID: "7E4D953BAAE949D1A1B399307AD58B94",
        XERO_PKCE_CLIENT_ID: "8E4D953BAAE949D1A1B399307AD58B94",
        PG_CONN_STR: "",
      },
    });
    expect(result.code).toBe(0);
    expect(existsSync(join(clone, "cdktf.out", "stacks", "xero-integrations", "cdk.tf.json"))).toBe(true);
  });
});

describe("the package in a project of its own", () => {
  let tarball: string;
  let project: string;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    const packed = await runCommand("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch, "--loglevel=error"], { cwd: clone, env: {} });
    if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
    const [manifest] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(scratch, manifest!.filename);
    emulator = await startEmulator({});
  });

  afterAll(async () => {
    await emulator?.close();
  });

  test("npm pack ships the built library, CLI and its hook, token and drift bundles with their caches, and no tests, benchmarks or CI scripts", async () => {
    const listed = await runCommand("tar", ["-tzf", tarball], { cwd: scratch, env: {} });
    const files = listed.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, ""));
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/cli/main.js",
        "dist/cli/hook-launcher.js",
        "dist/cli/hook-bundle.js",
        "dist/cli/hook-bundle.cache",
        "dist/cli/hook-bundle.inputs.json",
        "dist/cli/token-bundle.js",
        "dist/cli/token-bundle.cache",
        "dist/cli/token-bundle.inputs.json",
        "dist/cli/drift-bundle.js",
        "dist/cli/drift-bundle.cache",
        "dist/cli/drift-bundle.inputs.json",
        "dist/constructs/index.d.ts",
        "dist/emulator/index.js",
      ]),
    );
    const outsideTheLibrary = files.filter((file) => /^(test|bench|scripts|\.ci|dist\/test|dist\/bench|dist\/scripts)\//.test(file) || /^(dist\/)?main\.(js|ts|d\.ts)/.test(file));
    expect(outsideTheLibrary).toEqual([]);
  });

  test("installs into a new cdktf project beside cdktf and constructs, as peers", async () => {
    project = join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`);
    const ours: { devDependencies: Record<string, string> } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    const result = await runCommand(
      "npm",
      ["install", ...NPM_FLAGS, tarball, `cdktf@${ours.devDependencies.cdktf}`, `constructs@${ours.devDependencies.constructs}`],
      { cwd: project, env: registryEnv() },
    );
    expect(result.stderr).not.toMatch(/npm error/);
    expect(result.code).toBe(0);
    // One copy of each framework package, the project's: what construct identity needs.
    expect(existsSync(join(project, "node_modules", "cdktf-xero", "node_modules", "cdktf"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "cdktf-xero", "node_modules", "constructs"))).toBe(false);
  });

  test("the installed CLI finds its hook, token and drift bundles and the token bundle's part fresh (without a lockfile: by the installed dependencies' versions), with code caches this Node.js accepts", async () => {
    const cli = join(project, "node_modules", "cdktf-xero", "dist", "cli");
    for (const name of ["hook", "token", "token-refresh", "drift"]) {
      const script = `const b = require(${JSON.stringify(join(cli, "cli-bundle.js"))}).loadCliBundle(${JSON.stringify(name)}); console.log(b === undefined ? "none" : b.codeCache);`;
      const loaded = await runCommand(process.execPath, ["-e", script], { cwd: project, env: {} });
      expect([name, loaded.stdout.trim()]).toEqual([name, "accepted"]);
    }
  });

  test("a TypeScript stack using the constructs compiles against the package's types, synthesizes and deploys with real Terraform", async () => {
    const sync = await emulator.admin.createApp({ kind: "custom_connection", name: "Consumer sync", scopes: ["accounting.invoices.read"] });
    const { tenantId } = await emulator.admin.createOrg({ name: "Consumer Ltd", type: "ORGANISATION" });
    await emulator.admin.link(sync.clientId, tenantId);
    writeFileSync(
      join(project, "app.ts"),
      [
        'import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";',
        'import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret } from "cdktf-xero";',
        "",
        "const app = new App({ skipValidation: true });",
        'const stack = new TerraformStack(app, "consumer");',
        'new LocalBackend(stack, { path: "../../../terraform.consumer.tfstate" });',
        'const sync = new XeroAppRegistration(stack, "Sync", {',
        "  kind: XeroAppKind.CUSTOM_CONNECTION,",
        '  appName: "Consumer sync",',
        `  clientId: "${sync.clientId}",`,
        '  clientSecret: XeroSecret.fromEnv("CONSUMER_SYNC_SECRET"),',
        "  scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],",
        "});",
        `const link = new XeroCustomConnection(stack, "SyncLink", { app: sync, expectedTenantId: "${tenantId}" });`,
        'new TerraformOutput(stack, "tenant_name", { value: link.tenantName });',
        "app.synth();",
        "",
      ].join("\n"),
    );
    const compilerOptions = { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", skipLibCheck: true, types: [] };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["app.ts"] }));
    const tsc = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
    const compiled = await runCommand(process.execPath, [tsc, "-p", "."], { cwd: project, env: {} });
    expect(compiled.stdout).toBe("");
    expect(compiled.code).toBe(0);

    const synth = await runCommand(process.execPath, ["app.js"], { cwd: project, env: {} });
    expect(synth.stderr).toBe("");
    expect(synth.code).toBe(0);
    const stackDir = join(project, "cdktf.out", "stacks", "consumer");
    const json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
    const scripts = [...json.matchAll(/node (\S+hook-launcher\.js)/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of new Set(scripts)) {
      expect(script).toBe("../../../node_modules/cdktf-xero/dist/cli/hook-launcher.js");
      expect(realpathSync(resolve(stackDir, script))).toBe(realpathSync(join(project, "node_modules", "cdktf-xero", "dist", "cli", "hook-launcher.js")));
    }
    expect(json).not.toContain(PROJECT_ROOT);

    const env = {
      ...terraformEnv(),
      XERO_LOGIN_URL: emulator.loginUrl,
      XERO_IDENTITY_URL: emulator.identityUrl,
      XERO_API_URL: emulator.apiUrl,
      CONSUMER_SYNC_SECRET: sync.clientSecret ?? "",
    };
    expect((await terraform(stackDir, ["init"], env)).code).toBe(0);
    const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const output = await terraform(stackDir, ["output", "-raw", "tenant_name"], env);
    expect(output.stdout).toBe("Consumer Ltd");
    expect(existsSync(join(project, ".cdktf-xero", "state", "consumer", "SyncLink.tfstate"))).toBe(true);
  });
});
