/**
 * The reference app (main.ts) and `npm start`: what a new user runs first.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { referenceAppConfigFromEnv, XeroIntegrationsStack } from "../../main";
import { runCommand } from "./support";

const projectRoot = join(__dirname, "..", "..");

test("main.ts names every client id variable that is missing", () => {
  expect(() => referenceAppConfigFromEnv({ XERO_WEB_CLIENT_ID: "7E4D953BAAE949D1A1B399307AD58B94" })).toThrow(
    "main.ts: set XERO_SYNC_CLIENT_ID, XERO_PKCE_CLIENT_ID to the client ids of your Xero apps (developer.xero.com, My Apps), or run `npm start` to deploy against the embedded emulator",
  );
});

test("main.ts uses the pg backend exactly when PG_CONN_STR is set", () => {
  const ids = {
    XERO_SYNC_CLIENT_ID: "6E4D953BAAE949D1A1B399307AD58B94",
    XERO_WEB_CLIENT_ID: "7E4D953BAAE949D1A1B399307AD58B94",
    XERO_PKCE_CLIENT_ID: "8E4D953BAAE949D1A1B399307AD58B94",
  };
  expect(referenceAppConfigFromEnv(ids).usePostgres).toBe(false);
  expect(referenceAppConfigFromEnv({ ...ids, PG_CONN_STR: "postgres://db/x" }).usePostgres).toBe(true);
});

test("the reference stack synthesizes with no path of this machine, secrets only by reference", () => {
  // In a project directory of its own, as `cdktf synth` would write it (paths are taken from the
  // working directory at synth); cdktf creates only the last directory of outdir.
  const project = mkdtempSync(join(tmpdir(), "cdktf-xero-reference-synth-"));
  const cwd = process.cwd();
  try {
    process.chdir(project);
    const outdir = join(project, "cdktf.out");
    const app = new App({ outdir, skipValidation: true });
    new XeroIntegrationsStack(app, "xero-integrations", {
      syncClientId: "6E4D953BAAE949D1A1B399307AD58B94",
      webClientId: "7E4D953BAAE949D1A1B399307AD58B94",
      pkceClientId: "8E4D953BAAE949D1A1B399307AD58B94",
    });
    app.synth();
    const json = readFileSync(join(outdir, "stacks", "xero-integrations", "cdk.tf.json"), "utf8");
    // Every path (hook script, state directory, Terraform state) is relative to the stack directory.
    expect(json).not.toContain(project);
    expect(json).not.toMatch(/(node |"dir": "|"path": "|local:)\//);
    expect(json).toMatch(/"source": "env",\s+"name": "XERO_SYNC_CLIENT_SECRET"|"name": "XERO_SYNC_CLIENT_SECRET",\s+"source": "env"/);
  } finally {
    process.chdir(cwd);
    rmSync(project, { recursive: true, force: true });
  }
});

test("npm start deploys main.ts on the embedded emulator with the real cdktf deploy and prints the outputs", async () => {
  const project = mkdtempSync(join(tmpdir(), "cdktf-xero-npm-start-"));
  try {
    const env: Record<string, string> = { PG_CONN_STR: "" };
    // In a project directory of its own (--project-dir), so the checkout's own npm start state stays.
    const result = await runCommand(process.execPath, [join(projectRoot, "dist", "scripts", "start.js"), "--project-dir", project], { cwd: projectRoot, env });
    expect(result.stderr).not.toContain("npm start:");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ledger_tenant_id = [0-9a-f-]{36}\n/);
    expect(result.stdout).toContain("ledger_jdbc_url = jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=");
    expect(result.stdout).toMatch(/ledger_secret_next_due = \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\n/);
    // Everything the deploy leaves is in that directory: the stack's Terraform state and the credential documents.
    expect(existsSync(join(project, "terraform.xero-integrations.tfstate"))).toBe(true);
    expect(existsSync(join(project, ".cdktf-xero", "state", "xero-integrations", "LedgerLink.tfstate"))).toBe(true);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test("npm start without terraform on PATH fails at once, saying to install Terraform, and starts nothing", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "cdktf-xero-no-terraform-"));
  try {
    // A PATH that still finds node (npm scripts and cdktf need it) but no terraform.
    const bin = join(scratch, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const cwd = join(scratch, "cwd");
    mkdirSync(cwd);

    const result = await runCommand(process.execPath, [join(projectRoot, "dist", "scripts", "start.js")], {
      cwd,
      env: { PATH: bin, PG_CONN_STR: "" },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("npm start: terraform is not on PATH.");
    expect(result.stderr).toContain("Install Terraform >= 1.5");
    expect(result.stderr).toContain("run npm start again");
    // The emulator's banner is the first thing written once the check has passed.
    expect(result.stdout).toBe("");
    expect(existsSync(join(cwd, "cdktf.out"))).toBe(false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
