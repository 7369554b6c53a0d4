/**
 * Secret rotation end to end: XeroSecretRotation synthesized, deployed by the real Terraform binary,
 * a candidate generated in the emulator and staged with the compiled `cdktf-xero secret stage`
 * (secret on stdin), the rotation shown by `terraform plan -detailed-exitcode` and carried out by
 * `terraform apply`. The steps of one backend build on each other, as a team's pipeline runs them.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { TerraformOutput, type TerraformStack } from "cdktf";
import { Duration, XeroAppKind, XeroAppRegistration, XeroScopes, XeroSecret, XeroSecretRotation, XeroState, type XeroOverdueActionType } from "../../index";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import {
  deploy,
  documentBackends,
  filesUnder,
  outputs,
  plannedReplacements,
  readStateRows,
  runCommand,
  startWorld,
  synthesize,
  terraform,
  type CommandResult,
  type E2eWorld,
  unwrapped,
} from "./support";

const CLI = resolve(__dirname, "../../dist/cli/main.js");
const SCOPES = [XeroScopes.ACCOUNTING_INVOICES_READ];
const WEB_SCOPES = [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ];
const REDIRECT_URI = "https://portal.example.com/xero/callback";
const STATE_KEY = Buffer.alloc(32, 11).toString("base64");
const FINGERPRINT = /^hmac-sha256:[^:]+:[0-9a-f]{32}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** `cdktf-xero <args>` from the compiled CLI, with `input` on stdin (how an operator pipes a secret in). */
function cdktfXero(args: readonly string[], input: string, options: { cwd: string; env: Record<string, string> }): Promise<CommandResult> {
  return runCommand(process.execPath, [CLI, ...args], { ...options, input });
}

interface RotatedApp {
  readonly id: string;
  /** @default "custom_connection" */
  readonly kind?: "web" | "custom_connection";
  readonly clientId: string;
  readonly secretVariable: string;
  readonly maxAge?: Duration;
  readonly keepPrevious?: Duration;
  readonly onOverdue?: XeroOverdueActionType;
}

/** Each app and its rotation, with the rotation's attributes as outputs `<id>_fingerprint`, `_rotated_at`, `_next_due`. */
const declare = (state: XeroState, apps: readonly RotatedApp[]) => (stack: TerraformStack) => {
  for (const declared of apps) {
    const common = { appName: `${declared.id} app`, clientId: declared.clientId, clientSecret: XeroSecret.fromEnv(declared.secretVariable), state };
    const app =
      declared.kind === "web"
        ? new XeroAppRegistration(stack, declared.id, { ...common, kind: XeroAppKind.WEB, scopes: WEB_SCOPES, redirectUris: [REDIRECT_URI] })
        : new XeroAppRegistration(stack, declared.id, { ...common, kind: XeroAppKind.CUSTOM_CONNECTION, scopes: SCOPES });
    const rotation = new XeroSecretRotation(stack, `${declared.id}Rotation`, {
      app,
      ...(declared.maxAge === undefined ? {} : { maxAge: declared.maxAge }),
      ...(declared.keepPrevious === undefined ? {} : { keepPrevious: declared.keepPrevious }),
      ...(declared.onOverdue === undefined ? {} : { onOverdue: declared.onOverdue }),
    });
    const name = declared.id.toLowerCase();
    new TerraformOutput(stack, `${name}_fingerprint`, { value: rotation.currentSecretFingerprint });
    new TerraformOutput(stack, `${name}_rotated_at`, { value: rotation.rotatedAt });
    new TerraformOutput(stack, `${name}_next_due`, { value: rotation.nextDue });
  }
};

describe.each(documentBackends("e2e_rot"))("a secret rotation deployed through Terraform with the %s backend", (backendName, chooseBackend) => {
  const STACK = "rot";
  let world: E2eWorld;
  let address: StateBackendAddress;
  let stackDir: string;
  let env: Record<string, string>;
  let clientId: string;
  let firstSecret: string;
  let candidate: { clientSecret: string; n: number };
  let portal: { clientId: string; firstSecret: string; candidate?: string };
  let before: Record<string, unknown>;

  const openBackend = (): Promise<StateBackend> => openStateBackend(address, { env: { ...process.env, ...env }, cwd: world.dir });
  const readDocument = async (name: string): Promise<Record<string, unknown> | undefined> => {
    const backend = await openBackend();
    try {
      const stored = await backend.read(name);
      return stored === undefined ? undefined : { ...stored.values };
    } finally {
      await backend.close();
    }
  };

  beforeAll(async () => {
    world = await startWorld();
    address = chooseBackend(world.dir);
    const created = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Sync app", scopes: [...SCOPES] });
    clientId = created.clientId;
    firstSecret = created.clientSecret!;
    const web = await world.emulator.admin.createApp({ kind: "web", name: "Portal app", scopes: [...WEB_SCOPES], redirectUris: [REDIRECT_URI] });
    portal = { clientId: web.clientId, firstSecret: web.clientSecret! };
    env = { ...world.env, SYNC_CLIENT_SECRET: firstSecret, PORTAL_CLIENT_SECRET: portal.firstSecret, CDKTF_XERO_STATE_KEY: STATE_KEY };
    const state = address.type === "local" ? XeroState.local(address.dir) : XeroState.postgres({ schema: address.schema });
    stackDir = synthesize(
      world.dir,
      STACK,
      declare(state, [
        { id: "Sync", clientId, secretVariable: "SYNC_CLIENT_SECRET" },
        { id: "Portal", kind: "web", clientId: portal.clientId, secretVariable: "PORTAL_CLIENT_SECRET" },
      ]),
    );
  });

  afterAll(async () => {
    await world?.close();
  });

  test("the first deploy records each app's declared secret as current and reads its attributes back", async () => {
    const applied = await deploy(stackDir, env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    before = await outputs(stackDir, env);
    expect(before.sync_fingerprint).toMatch(FINGERPRINT);
    expect(before.sync_rotated_at).toMatch(RFC3339_UTC);
    expect(Date.parse(String(before.sync_next_due)) - Date.parse(String(before.sync_rotated_at))).toBe(90 * 86_400_000);
    expect(before.portal_fingerprint).toMatch(FINGERPRINT);
  });

  test("the plan after the first deploy is clean", async () => {
    expect(await plannedReplacements(stackDir, env)).toEqual({ exitCode: 0, replaced: [] });
  });

  test("staging a secret generated in the portal records it as pending, without printing it", async () => {
    candidate = await world.emulator.admin.addSecret(clientId);
    const staged = await cdktfXero(["secret", "stage", `${STACK}/Sync`, "--backend", formatBackendAddress(address)], `${candidate.clientSecret}\n`, {
      cwd: world.dir,
      env,
    });
    expect(staged.stderr).toBe("");
    expect(staged.code).toBe(0);
    expect(staged.stdout).not.toContain(candidate.clientSecret);

    const document = await readDocument(`${STACK}/Sync/rotation`);
    expect(document?.pending_fingerprint).toMatch(FINGERPRINT);
    expect(document?.pending_fingerprint).not.toBe(before.sync_fingerprint);
  });

  test("a staged secret makes the plan replace exactly that app's rotation hook", async () => {
    const pending = await plannedReplacements(stackDir, env);
    expect(pending.exitCode).toBe(2);
    expect(pending.replaced).toEqual([expect.stringMatching(/^terraform_data\.SyncRotation_[0-9A-F]{8}$/)]);
  });

  test("apply promotes the staged secret: the current fingerprint is the staged one, the old current kept as previous", async () => {
    const staged = await readDocument(`${STACK}/Sync/rotation`);
    const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    const after = await outputs(stackDir, env);
    expect(after.sync_fingerprint).toBe(staged?.pending_fingerprint);
    expect(after.sync_fingerprint).not.toBe(before.sync_fingerprint);
    // Whole seconds: the bootstrap and the promotion may fall in the same one.
    expect(Date.parse(String(after.sync_rotated_at))).toBeGreaterThanOrEqual(Date.parse(String(before.sync_rotated_at)));
    const document = await readDocument(`${STACK}/Sync/rotation`);
    expect(document?.pending_fingerprint).toBe("");
    expect(document?.previous_expires_at).toMatch(RFC3339_UTC);
  });

  test("the plan after the rotation is clean", async () => {
    expect(await plannedReplacements(stackDir, env)).toEqual({ exitCode: 0, replaced: [] });
  });

  test("the app's next hook run uses the rotated secret, even with the first one deleted in the portal", async () => {
    await world.emulator.admin.deleteSecret(clientId, 1);
    expect((await world.emulator.admin.getApp(clientId)).secrets.map((secret) => secret.n)).toEqual([candidate.n]);
    const backend = await openBackend();
    try {
      await backend.update(`${STACK}/Sync`, (current) => ({ ...current!.values, generation: Number(current!.values.generation) + 1 }));
    } finally {
      await backend.close();
    }
    const pending = await plannedReplacements(stackDir, env);
    expect(pending.replaced).toEqual([expect.stringMatching(/^terraform_data\.Sync_[0-9A-F]{8}$/)]);

    // SYNC_CLIENT_SECRET still holds the deleted first secret: only the rotation's current works.
    const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
  });

  test("a web app's secret rotates the same way: stage, the plan replaces its rotation hook, apply promotes, the plan is clean", async () => {
    const generated = await world.emulator.admin.addSecret(portal.clientId);
    portal.candidate = generated.clientSecret;
    const staged = await cdktfXero(["secret", "stage", `${STACK}/Portal`, "--backend", formatBackendAddress(address)], generated.clientSecret, {
      cwd: world.dir,
      env,
    });
    expect(staged.code).toBe(0);
    const pending = await plannedReplacements(stackDir, env);
    expect(pending).toEqual({ exitCode: 2, replaced: [expect.stringMatching(/^terraform_data\.PortalRotation_[0-9A-F]{8}$/)] });

    const applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const after = await outputs(stackDir, env);
    expect(after.portal_fingerprint).toMatch(FINGERPRINT);
    expect(after.portal_fingerprint).not.toBe(before.portal_fingerprint);
    expect(await plannedReplacements(stackDir, env)).toEqual({ exitCode: 0, replaced: [] });
  });

  test("no secret value appears in cdktf.out, any tfstate, the plan, or documents outside their envelopes", async () => {
    await terraform(stackDir, ["plan", "-out=leak.tfplan"], env);
    const plan = await terraform(stackDir, ["show", "-json", "leak.tfplan"], env);
    const haystacks = [plan.stdout, ...filesUnder(world.dir).map((file) => readFileSync(file, "utf8"))];
    if (backendName === "pg") haystacks.push(JSON.stringify(await readStateRows(address)));
    for (const text of haystacks) {
      expect(text).not.toContain(firstSecret);
      expect(text).not.toContain(candidate.clientSecret);
      expect(text).not.toContain(portal.firstSecret);
      expect(text).not.toContain(portal.candidate);
      expect(text).not.toContain(STATE_KEY);
    }
  });
});

describe("an overdue secret through Terraform (local backend)", () => {
  const STACK = "overdue";
  const MAX_AGE_SECONDS = 5;
  let world: E2eWorld;
  let stackDir: string;
  let env: Record<string, string>;
  let lastDue: number;
  let warnClientId: string;

  beforeAll(async () => {
    world = await startWorld();
    const warn = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Warn app", scopes: [...SCOPES] });
    const fail = await world.emulator.admin.createApp({ kind: "custom_connection", name: "Fail app", scopes: [...SCOPES] });
    warnClientId = warn.clientId;
    env = { ...world.env, WARN_SECRET: warn.clientSecret!, FAIL_SECRET: fail.clientSecret!, CDKTF_XERO_STATE_KEY: STATE_KEY };
    const tiny = { maxAge: Duration.seconds(MAX_AGE_SECONDS), keepPrevious: Duration.seconds(0) };
    stackDir = synthesize(
      world.dir,
      STACK,
      declare(XeroState.local(join(world.dir, "state")), [
        { id: "Warn", clientId: warn.clientId, secretVariable: "WARN_SECRET", onOverdue: "warn", ...tiny },
        { id: "Fail", clientId: fail.clientId, secretVariable: "FAIL_SECRET", onOverdue: "fail", ...tiny },
      ]),
    );
  });

  afterAll(async () => {
    await world?.close();
  });

  let applied: CommandResult;

  test("the first deploy bootstraps both rotations with next due maxAge after rotatedAt", async () => {
    const deployed = await deploy(stackDir, env);
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    const values = await outputs(stackDir, env);
    expect(Date.parse(String(values.warn_next_due)) - Date.parse(String(values.warn_rotated_at))).toBe(MAX_AGE_SECONDS * 1000);
    expect(Date.parse(String(values.fail_next_due)) - Date.parse(String(values.fail_rotated_at))).toBe(MAX_AGE_SECONDS * 1000);
    lastDue = Math.max(Date.parse(String(values.warn_next_due)), Date.parse(String(values.fail_next_due)));
  });

  test("once maxAge has passed, with nothing staged, the plan replaces both rotation hooks (plantimestamp reached due_at)", async () => {
    // Nothing outside Terraform happens: only the clock passes maxAge.
    await new Promise((done) => setTimeout(done, Math.max(0, lastDue - Date.now()) + 1_000));
    const due = await plannedReplacements(stackDir, env);
    expect(due.exitCode).toBe(2);
    expect(due.replaced).toEqual([
      expect.stringMatching(/^terraform_data\.FailRotation_[0-9A-F]{8}$/),
      expect.stringMatching(/^terraform_data\.WarnRotation_[0-9A-F]{8}$/),
    ]);
    applied = await terraform(stackDir, ["apply", "-auto-approve"], env);
  });

  test('apply warns with the portal steps for onOverdue "warn"', () => {
    const warnLines = applied.stdout.split("\n").filter((line) => line.includes("WarnRotation") && /overdue/i.test(line));
    expect(warnLines.length).toBeGreaterThan(0);
    expect(unwrapped(applied.stdout)).toContain("cdktf-xero secret stage overdue/Warn");
    expect(applied.stderr).not.toContain("overdue/Warn");
  });

  test('apply fails with the portal steps for onOverdue "fail"', () => {
    expect(applied.code).toBe(1);
    expect(unwrapped(applied.stderr)).toContain("ROTATION_OVERDUE");
    expect(unwrapped(applied.stderr)).toContain("cdktf-xero secret stage overdue/Fail");
  });

  test("the overdue messages hold no secret", () => {
    for (const secret of [env.WARN_SECRET!, env.FAIL_SECRET!, STATE_KEY]) {
      expect(applied.stdout).not.toContain(secret);
      expect(applied.stderr).not.toContain(secret);
    }
  });

  test("after the apply only the failed rotation is still due: the warned one plans clean", async () => {
    const after = await plannedReplacements(stackDir, env);
    expect(after.exitCode).toBe(2);
    expect(after.replaced).toEqual([expect.stringMatching(/^terraform_data\.FailRotation_[0-9A-F]{8}$/)]);
  });

  test("every plan warns while the secret is overdue, also when its rotation hook does not run", async () => {
    const plan = await terraform(stackDir, ["plan"], env);
    const text = `${plan.stdout}${plan.stderr}`.replace(/\s+/g, " ");
    expect(text).toContain(`the client secret of Custom Connection "Warn app" (client id ${warnClientId}) is overdue`);
    expect(text).toContain("cdktf-xero secret stage overdue/Warn");
  });
});
