import { promises as fs } from "node:fs";
import * as path from "node:path";
import { ConnectionOutputs, ConnectionSecretKeys } from "../../contract/connection";
import { canonicalJson } from "../../contract/hook-spec";
import { formBrowser } from "../xero/consent-browser";
import { BACKEND_TYPES, CONNECTION_DOCUMENT, declaredConnection, ORGANISATIONS, project, useTokenWorld, type DeclaredConnection, type Project } from "../tokens/support";
import { startCli } from "./interactive-cli";
import { runCompiledCli } from "./run-cli";

/**
 * `cdktf-xero connect` as a person runs it: the compiled CLI in a child process, the emulator's
 * consent page driven by posting its form (or its redirect pasted on stdin with --manual). The
 * emulator's clock is never moved here: the child process checks the id token with the real one.
 */

const world = useTokenWorld();

/** The document as `hook apply` leaves it before anyone consented: the declaration recorded, awaiting consent. */
async function awaitingConsent(where: Project, connection: DeclaredConnection, generation = 1): Promise<void> {
  const backend = await where.open();
  await backend.write(CONNECTION_DOCUMENT, undefined, {
    generation,
    ...ConnectionOutputs.encode({ status: "awaiting_consent", declaration: canonicalJson(connection.spec) }),
  });
}

const AUTHORIZE_LINE = /^http:\/\/127\.0\.0\.1:\d+\/login\/identity\/connect\/authorize\?/;

describe.each(BACKEND_TYPES)("cdktf-xero connect on the %s backend", (type) => {
  let where: Project;
  beforeEach(async () => {
    where = await project(type);
  });
  afterEach(async () => {
    await where.cleanup();
  });

  async function connectThroughConsentPage(connection: DeclaredConnection) {
    const cli = startCli(["connect", CONNECTION_DOCUMENT, "--backend", where.backendFlag, "--no-browser"], { cwd: where.dir, env: connection.env });
    const url = await cli.waitForLine(AUTHORIZE_LINE);
    const browser = formBrowser();
    const opened = await browser.open(url);
    if (!opened) cli.child.kill();
    expect(browser.problems).toEqual([]);
    return cli.done;
  }

  it("stores the token set from a consent given on the consent page, bumps the generation and says who consented to what", async () => {
    const connection = await declaredConnection(world, where);
    await awaitingConsent(where, connection);
    const run = await connectThroughConsentPage(connection);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        `cdktf-xero: ${CONNECTION_DOCUMENT}: Ada Lovelace <ada.lovelace@example.com> consented; the token set is stored (generation 2).`,
        "Organisations (2):",
        `  - ${ORGANISATIONS[0]} (tenant id ${world.tenantIds[0]})`,
        `  - ${ORGANISATIONS[1]} (tenant id ${world.tenantIds[1]})`,
        "Scopes: accounting.invoices email offline_access openid profile",
        "The next `cdktf deploy` verifies these organisations and scopes against the declaration.",
      ].join("\n"),
    );
    const backend = await where.open();
    const stored = await backend.read(CONNECTION_DOCUMENT);
    expect(ConnectionOutputs.decode(stored?.values)).toMatchObject({ status: "connected", generation: 2, tenantIds: world.tenantIds, userEmail: "ada.lovelace@example.com" });
    const secrets = await backend.openSecrets(stored!);
    expect(Object.keys(secrets).sort()).toEqual([ConnectionSecretKeys.accessToken, ConnectionSecretKeys.refreshToken]);
    for (const token of Object.values(secrets)) expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  });

  it("takes the redirect URL pasted on stdin with --manual", async () => {
    const connection = await declaredConnection(world, where);
    await awaitingConsent(where, connection);
    const cli = startCli(["connect", CONNECTION_DOCUMENT, "--backend", where.backendFlag, "--manual"], { cwd: where.dir, env: connection.env });
    const url = await cli.waitForLine(AUTHORIZE_LINE);
    await cli.waitForLine(/^Paste that whole address here:/);
    const browser = formBrowser({ followRedirect: false });
    expect(await browser.open(url)).toBe(true);
    cli.child.stdin.end(`${browser.redirects[0]}\n`);
    const run = await cli.done;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("consented; the token set is stored (generation 2).");
    expect(ConnectionOutputs.decode((await (await where.open()).read(CONNECTION_DOCUMENT))?.values).status).toBe("connected");
  });
});

describe("cdktf-xero connect before the document records a declaration", () => {
  let where: Project;
  beforeEach(async () => {
    where = await project("local");
  });
  afterEach(async () => {
    await where.cleanup();
  });

  /** cdktf.json and a synthesized stack `crm` whose Init resource carries the connection's spec, as `cdktf synth` writes them. */
  async function synthesized(connection: DeclaredConnection): Promise<void> {
    await fs.writeFile(path.join(where.dir, "cdktf.json"), JSON.stringify({ app: "node main.js", language: "typescript" }));
    const stackDir = path.join(where.dir, "cdktf.out", "stacks", "crm");
    await fs.mkdir(stackDir, { recursive: true });
    const environment = { CDKTF_XERO_SPEC: canonicalJson(connection.spec).replace(/\$\{/g, "$${") };
    const stack = { resource: { terraform_data: { CrmConnection_Init_1: { provisioner: [{ "local-exec": { command: "node cli.js hook init", environment } }] } } } };
    await fs.writeFile(path.join(stackDir, "cdk.tf.json"), JSON.stringify(stack));
  }

  it("reads the declaration from the synthesized stacks and records it with the consent", async () => {
    const connection = await declaredConnection(world, where);
    await synthesized(connection);
    // As `hook init` leaves it: the document exists, nothing declared in it yet.
    await (await where.open()).write(CONNECTION_DOCUMENT, undefined, { generation: 0 });
    const cli = startCli(["connect", CONNECTION_DOCUMENT, "--backend", where.backendFlag, "--no-browser"], { cwd: where.dir, env: connection.env });
    expect(await formBrowser().open(await cli.waitForLine(AUTHORIZE_LINE))).toBe(true);
    const run = await cli.done;
    expect(run.code).toBe(0);
    const stored = await (await where.open()).read(CONNECTION_DOCUMENT);
    expect(ConnectionOutputs.decode(stored?.values)).toMatchObject({ status: "connected", generation: 1, declaration: canonicalJson(connection.spec) });
  });

  it("exits 64 naming the declared backend when --backend names another, storing nothing", async () => {
    const connection = await declaredConnection(world, where);
    await synthesized(connection);
    await fs.mkdir(path.join(where.dir, "other"));
    const run = await runCompiledCli(["connect", CONNECTION_DOCUMENT, "--backend", "local:other", "--no-browser"], { cwd: where.dir, env: connection.env });
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      `cdktf-xero: CONFIG_INVALID: state document "${CONNECTION_DOCUMENT}" is declared in backend local:state, not in local:${path.join(where.dir, "other")}: ` +
        `run \`cdktf-xero connect ${CONNECTION_DOCUMENT} --backend local:state\`; nothing was done\n`,
    );
    expect(await fs.readdir(path.join(where.dir, "other"))).toEqual([]);
  });

  it("exits 64 naming `cdktf synth` when neither the document nor cdktf.out declares the connection, storing nothing", async () => {
    const connection = await declaredConnection(world, where);
    await (await where.open()).write(CONNECTION_DOCUMENT, undefined, { generation: 0 });
    const run = await runCompiledCli(["connect", CONNECTION_DOCUMENT, "--backend", where.backendFlag, "--no-browser"], { cwd: where.dir, env: connection.env });
    expect(run.code).toBe(64);
    expect(run.stderr).toBe(
      `cdktf-xero: CONFIG_INVALID: state document "${CONNECTION_DOCUMENT}" records no declaration yet and there are no synthesized stacks: run ` +
        `\`cdktf synth\` in the project (${where.dir}) that declares the XeroOAuthConnection, then connect again; nothing was done\n`,
    );
    expect((await (await where.open()).read(CONNECTION_DOCUMENT))?.values).toEqual({ generation: 0 });
  });

  it("exits 1 with the exact redirect URI to register when the app has no loopback one", async () => {
    const connection = await declaredConnection(world, where, { redirectUris: ["https://crm.example.com/xero/callback"] });
    await awaitingConsent(where, connection);
    const run = await runCompiledCli(["connect", CONNECTION_DOCUMENT, "--backend", where.backendFlag, "--no-browser"], { cwd: where.dir, env: connection.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `cdktf-xero: XERO_NO_LOOPBACK_REDIRECT_URI: App ${connection.clientId} has no loopback redirect URI (it has only https://crm.example.com/xero/callback), ` +
        "so the consent cannot come back to this machine. Add http://localhost:8765/callback to the app's redirect URIs in the Xero developer portal " +
        "(https://developer.xero.com/app/manage) and to redirectUris in its registration, then deploy and run the consent again; or use --manual to " +
        "paste the URL you are redirected to.\n",
    );
    expect(ConnectionOutputs.decode((await (await where.open()).read(CONNECTION_DOCUMENT))?.values).status).toBe("awaiting_consent");
  });
});
