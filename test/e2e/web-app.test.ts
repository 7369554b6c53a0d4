/**
 * A Web app through real Terraform: the hook proves the declared redirect URIs and scopes against
 * the emulator's authorize endpoint over loopback, with no user. A redirect URI the portal has only
 * without a trailing slash fails the deploy naming it; the right one deploys with the scopes
 * recorded as declared, none as granted.
 */
import { TerraformOutput, type TerraformStack } from "cdktf";
import { XeroAppKind, XeroAppRegistration, XeroScopes, XeroSecret, XeroState } from "../../index";
import { openStateBackend } from "../../providers/state";
import { deploy, outputs, startWorld, synthesize, unwrapped, type E2eWorld } from "./support";
import { join } from "node:path";

const STACK = "portal";
const REDIRECT_URI = "https://portal.example.com/xero/callback";

describe("a Web app deployed through Terraform", () => {
  let world: E2eWorld;
  let clientId: string;
  let env: Record<string, string>;
  let stateDir: string;

  const declare = (redirectUri: string) => (stack: TerraformStack) => {
    const app = new XeroAppRegistration(stack, "CustomerPortal", {
      kind: XeroAppKind.WEB,
      appName: "Customer portal",
      clientId,
      clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
      scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES_READ],
      redirectUris: [redirectUri],
      state: XeroState.local(stateDir),
    });
    new TerraformOutput(stack, "declared_scopes", { value: app.declaredScopes });
    new TerraformOutput(stack, "granted_scopes", { value: app.grantedScopes });
  };

  beforeAll(async () => {
    world = await startWorld();
    stateDir = join(world.dir, "state");
    const app = await world.emulator.admin.createApp({
      kind: "web",
      name: "Customer portal",
      scopes: ["openid", "offline_access", "accounting.invoices.read"],
      redirectUris: [REDIRECT_URI],
    });
    clientId = app.clientId;
    env = { ...world.env, PORTAL_CLIENT_SECRET: app.clientSecret!, CDKTF_XERO_STATE_KEY: Buffer.alloc(32, 3).toString("base64") };
  });

  afterAll(async () => {
    await world?.close();
  });

  test("fails, naming the redirect URI and the fix, when the declared one has a trailing slash the portal's lacks, and records nothing", async () => {
    const stackDir = synthesize(world.dir, STACK, declare(`${REDIRECT_URI}/`));
    const applied = await deploy(stackDir, env);
    expect(applied.code).toBe(1);
    const stderr = unwrapped(applied.stderr);
    expect(stderr).toContain(
      `cdktf-xero: HOOK_REDIRECT_URI_NOT_REGISTERED: Xero's authorize endpoint refused Web app "Customer portal" (client id ${clientId}) ` +
        `with redirect URI "${REDIRECT_URI}/" (its error page (HTTP 400), invalid_request), even with only the openid scope`,
    );
    expect(stderr).toContain("Add it to the app's redirect URIs at https://developer.xero.com/app/manage, or fix redirectUris in the code");
    const backend = await openStateBackend({ type: "local", dir: stateDir }, { env, logger: { warn: () => undefined } });
    try {
      expect((await backend.read(`${STACK}/CustomerPortal`))?.values).toEqual({ generation: 0 });
    } finally {
      await backend.close();
    }
  });

  test("deploys with the registered redirect URI, recording the scopes as declared and none as granted", async () => {
    const stackDir = synthesize(world.dir, STACK, declare(REDIRECT_URI));
    const applied = await deploy(stackDir, env);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(unwrapped(applied.stdout)).toContain("scopes recorded as declared, none as granted");
    expect(unwrapped(applied.stdout)).not.toContain("recorded as granted");
    expect(await outputs(stackDir, env)).toEqual({
      declared_scopes: ["accounting.invoices.read", "offline_access", "openid"],
      granted_scopes: [],
    });
  });
});
