import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { StateBackend } from "../../providers/state";
import { fixtureFor, requirePgConnStr, type BackendFixture } from "./support/fixtures";
import { terraformBinary } from "../../scripts/terraform-binary";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../..");

/** Runs terraform in `dir` with the repository's empty CLI config (no registry, no warnings). */
async function terraform(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(terraformBinary(), [...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.tmpdir(),
      TF_CLI_CONFIG_FILE: path.join(REPO, ".ci/terraformrc"),
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      ...env,
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

type TerraformOutputs = Record<string, { value: unknown; type: unknown; sensitive: boolean }>;

/** A configuration that reads one document and exposes each value through ordinary Terraform expressions. */
function readerConfig(dataSource: string): string {
  return `
${dataSource}

locals {
  doc = data.terraform_remote_state.doc.outputs
}

output "tenant_id"   { value = local.doc.tenant_id }
output "scopes"      { value = local.doc.scopes }
output "first_scope" { value = local.doc.scopes[0] }
output "env"         { value = local.doc.labels["env"] }
output "next"        { value = local.doc.attempts + 1 }
output "ok"          { value = local.doc.ok ? "yes" : "no" }
output "retired"     { value = try(local.doc.retired, false) }
output "secrets" {
  value     = local.doc.secrets
  sensitive = true
}
`;
}

async function writeDocument(backend: StateBackend, name: string): Promise<void> {
  await backend.update(name, async () => ({
    tenant_id: "c3f4b7a0-tenant",
    scopes: ["accounting.transactions", "offline_access"],
    labels: { env: "prod" },
    attempts: 2,
    ok: true,
    secrets: await backend.sealSecrets(name, { client_secret: "never-in-terraform-output" }),
  }));
}

function expectOutputs(outputs: TerraformOutputs, retired: boolean): void {
  expect(outputs).toEqual({
    tenant_id: { value: "c3f4b7a0-tenant", type: "string", sensitive: false },
    scopes: { value: ["accounting.transactions", "offline_access"], type: ["list", "string"], sensitive: false },
    first_scope: { value: "accounting.transactions", type: "string", sensitive: false },
    env: { value: "prod", type: "string", sensitive: false },
    next: { value: 3, type: "number", sensitive: false },
    ok: { value: "yes", type: "string", sensitive: false },
    retired: { value: retired, type: "bool", sensitive: false },
    secrets: { value: expect.stringMatching(/^\{"v":1,"kid":"a",/), type: "string", sensitive: true },
  });
}

describe.each(["local", "pg"] as const)("terraform_remote_state reads documents (%s)", (kind) => {
  let fixture: BackendFixture;
  let backend: StateBackend;
  let work: string;

  beforeAll(async () => {
    fixture = await fixtureFor(kind, "tfread");
    backend = await fixture.open();
    work = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-tf-"));
  });
  afterAll(async () => {
    await fixture.cleanup();
    await fs.rm(work, { recursive: true, force: true });
  });

  const dataSource = (name: string): string =>
    fixture.address.type === "local"
      ? `data "terraform_remote_state" "doc" {
  backend = "local"
  config  = { path = ${JSON.stringify(path.join(fixture.address.dir, `${name}.tfstate`))} }
}`
      : `data "terraform_remote_state" "doc" {
  backend   = "pg"
  workspace = ${JSON.stringify(name)}
  config    = { schema_name = ${JSON.stringify(fixture.address.schema)} }
}`;

  it("reads every output type, before and after the document is retired", async () => {
    const name = "billing/App";
    await writeDocument(backend, name);
    const dir = path.join(work, "reader");
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, "main.tf"), readerConfig(dataSource(name)));
    const env = { PG_CONN_STR: fixture.env.PG_CONN_STR ?? "" };
    await terraform(dir, ["init", "-input=false", "-no-color"], env);
    await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expectOutputs(JSON.parse(await terraform(dir, ["output", "-json"], env)) as TerraformOutputs, false);

    await backend.retire(name);
    await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expectOutputs(JSON.parse(await terraform(dir, ["output", "-json"], env)) as TerraformOutputs, true);
  });
});

describe("terraform_remote_state and documents not written yet (pg)", () => {
  let fixture: BackendFixture;
  let work: string;
  beforeAll(async () => {
    fixture = await fixtureFor("pg", "tfmissing");
    work = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-tf-"));
  });
  afterAll(async () => {
    await fixture.cleanup();
    await fs.rm(work, { recursive: true, force: true });
  });

  it("leaves the empty workspace Terraform creates when it reads a missing document, and update() fills it", async () => {
    const backend = await fixture.open();
    const schema = fixture.address.type === "pg" ? fixture.address.schema : "";
    await fs.writeFile(
      path.join(work, "main.tf"),
      `data "terraform_remote_state" "doc" {
  backend   = "pg"
  workspace = "later/App"
  config    = { schema_name = ${JSON.stringify(schema)} }
  defaults  = { generation = 0 }
}

output "generation" { value = data.terraform_remote_state.doc.outputs.generation }
`,
    );
    const env = { PG_CONN_STR: requirePgConnStr() };
    await terraform(work, ["init", "-input=false", "-no-color"], env);
    await terraform(work, ["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expect(JSON.parse(await terraform(work, ["output", "-json", "generation"], env))).toBe(0);
    // Terraform's pg backend wrote an empty state as the workspace's placeholder.
    const placeholder = await backend.read("later/App");
    expect(placeholder?.values).toEqual({});
    await expect(backend.write("later/App", undefined, { generation: 1 })).rejects.toMatchObject({ code: "STATE_CONFLICT" });
    const filled = await backend.update("later/App", () => ({ generation: 1 }));
    expect(filled?.serial).toBe((placeholder?.serial ?? 0) + 1);
    await terraform(work, ["apply", "-auto-approve", "-input=false", "-no-color"], env);
    expect(JSON.parse(await terraform(work, ["output", "-json", "generation"], env))).toBe(1);
  });
});

describe("a stack whose own Terraform state is in PostgreSQL beside the documents", () => {
  let fixture: BackendFixture;
  let work: string;
  let stackSchema: string;

  beforeAll(async () => {
    fixture = await fixtureFor("pg", "tfstack");
    work = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-tf-"));
    stackSchema = `tfstack_own_${randomBytes(4).toString("hex")}`;
  });
  afterAll(async () => {
    await fixture.cleanup();
    await fs.rm(work, { recursive: true, force: true });
    const client = new Client({ connectionString: requirePgConnStr() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${stackSchema}" CASCADE`);
    await client.end();
  });

  it("applies with Terraform's pg backend and its locks while a document lock is held in the same database", async () => {
    const backend = await fixture.open();
    const name = "billing/App";
    await writeDocument(backend, name);
    const schema = fixture.address.type === "pg" ? fixture.address.schema : "";
    await fs.writeFile(
      path.join(work, "main.tf"),
      `terraform {
  backend "pg" {
    schema_name = ${JSON.stringify(stackSchema)}
  }
}

data "terraform_remote_state" "doc" {
  backend   = "pg"
  workspace = ${JSON.stringify(name)}
  config    = { schema_name = ${JSON.stringify(schema)} }
}

resource "terraform_data" "uses_tenant" {
  input = data.terraform_remote_state.doc.outputs.tenant_id
}

output "tenant" { value = terraform_data.uses_tenant.output }
`,
    );
    const env = { PG_CONN_STR: requirePgConnStr() };
    await backend.withLock(name, async () => {
      await terraform(work, ["init", "-input=false", "-no-color"], env);
      await terraform(work, ["apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=5s"], env);
    });
    expect(JSON.parse(await terraform(work, ["output", "-json", "tenant"], env))).toBe("c3f4b7a0-tenant");
    const client = new Client({ connectionString: requirePgConnStr() });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>(`SELECT name FROM "${stackSchema}".states ORDER BY name`);
      expect(rows.rows).toEqual([{ name: "default" }]);
    } finally {
      await client.end();
    }
    expect((await backend.read(name))?.serial).toBe(1);
  });
});
