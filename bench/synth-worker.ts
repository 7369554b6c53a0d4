/**
 * One synth, timed inside a fresh process: `node synth-worker.js <xero|plain> <count> <outdir>`.
 * Prints `{"ms":…, "elements":…}`. `xero` declares `count` cdktf-xero constructs (half Custom
 * Connection registrations, half their links); `plain` writes the same Terraform elements with
 * cdktf's own classes, as a team would by hand: the floor our constructs are measured against.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, DataResource, DataTerraformRemoteStateLocal, TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroCustomConnection, XeroScopes, XeroSecret, XeroState } from "../index";

const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ];
const STATUS_DEFAULTS = { generation: 0, due_at: "9999-12-31T23:59:59Z" };

function clientIdFor(i: number): string {
  return `6E${i.toString(16).toUpperCase().padStart(30, "0")}`;
}

function declareXero(stack: TerraformStack, pairs: number): void {
  const state = XeroState.local(".cdktf-xero/state");
  for (let i = 0; i < pairs; i++) {
    const app = new XeroAppRegistration(stack, `App${i}`, {
      kind: XeroAppKind.CUSTOM_CONNECTION,
      appName: `App ${i}`,
      clientId: clientIdFor(i),
      clientSecret: XeroSecret.fromEnv(`APP_${i}_SECRET`),
      scopes: SCOPES,
      state,
    });
    new XeroCustomConnection(stack, `Link${i}`, { app, state });
  }
}

/** The same four elements per construct, hand-written: spec JSON, its hash, the hook commands. */
function declarePlain(stack: TerraformStack, pairs: number): void {
  const cli = "../../../dist/cli/hook-launcher.js";
  const dir = "../../../.cdktf-xero/state";
  const parts = (id: string, document: string, spec: Record<string, unknown>, dependsOn?: DataResource): DataResource => {
    const json = JSON.stringify(spec);
    const sha = createHash("sha256").update(json).digest("hex");
    const path = `${dir}/${document}.tfstate`;
    const init = new DataResource(stack, `${id}Init`, {
      triggersReplace: { document, backend: `local:${dir}` },
      provisioners: [{ type: "local-exec", command: `node ${cli} hook init`, environment: { CDKTF_XERO_SPEC: json } }],
    });
    const status = new DataTerraformRemoteStateLocal(stack, `${id}Status`, { path, defaults: STATUS_DEFAULTS });
    status.addOverride("depends_on", [`terraform_data.${init.friendlyUniqueId}`]);
    const environment = {
      CDKTF_XERO_SPEC: "${jsonencode(self.input)}",
      CDKTF_XERO_SPEC_SHA256: "${self.triggers_replace[0]}",
      CDKTF_XERO_GENERATION: "${self.triggers_replace[1]}",
    };
    const resource = new DataResource(stack, `${id}Resource`, {
      input: spec,
      provisioners: [
        { type: "local-exec", command: `node ${cli} hook apply`, environment },
        { type: "local-exec", when: "destroy", command: `node ${cli} hook destroy`, environment },
      ],
      lifecycle: { createBeforeDestroy: true },
      ...(dependsOn === undefined ? {} : { dependsOn: [dependsOn] }),
    });
    resource.addOverride("triggers_replace", [sha, status.getNumber("generation")]);
    const state = new DataTerraformRemoteStateLocal(stack, `${id}State`, { path });
    state.addOverride("depends_on", [`terraform_data.${resource.friendlyUniqueId}`]);
    return resource;
  };
  for (let i = 0; i < pairs; i++) {
    const backend = { type: "local", dir };
    const secret = { source: "env", name: `APP_${i}_SECRET` };
    const appSpec = {
      version: 1, kind: "app_registration", document: `bench/App${i}`, backend, appKind: "custom_connection",
      appName: `App ${i}`, clientId: clientIdFor(i), clientSecret: secret, redirectUris: [], scopes: SCOPES,
      createdAfterGranularScopes: false,
    };
    const app = parts(`App${i}`, `bench/App${i}`, appSpec);
    const linkSpec = {
      version: 1, kind: "custom_connection_link", document: `bench/Link${i}`, backend,
      app: { document: `bench/App${i}`, backend, appName: `App ${i}`, clientId: clientIdFor(i), clientSecret: secret, scopes: SCOPES },
      waitForLinkSeconds: 0, unlinkOnDestroy: false,
    };
    parts(`Link${i}`, `bench/Link${i}`, linkSpec, app);
  }
}

function main(): void {
  const [variant, countText, outdir] = process.argv.slice(2);
  const count = Number(countText);
  if ((variant !== "xero" && variant !== "plain") || !Number.isInteger(count) || count < 2 || outdir === undefined) {
    throw new Error("usage: synth-worker.js <xero|plain> <count, even> <outdir>");
  }
  const started = process.hrtime.bigint();
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, "bench");
  if (variant === "xero") declareXero(stack, count / 2);
  else declarePlain(stack, count / 2);
  app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "bench", "cdk.tf.json"), "utf8")) as {
    resource?: Record<string, Record<string, unknown>>;
    data?: Record<string, Record<string, unknown>>;
  };
  const countOf = (group: Record<string, Record<string, unknown>> | undefined): number =>
    Object.values(group ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
  process.stdout.write(`${JSON.stringify({ ms, elements: countOf(synthesized.resource) + countOf(synthesized.data) })}\n`);
}

main();
