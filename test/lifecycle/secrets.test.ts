import { promises as fs } from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { openStateBackend } from "../../providers/state";
import type { SecretReference } from "../../contract/spec-common";
import {
  customConnectionApp,
  expectHookOk,
  linkSpec,
  openWorkspaceBackend,
  registrationSpec,
  runHookIn,
  useHookTestWorld,
  type HookRunOutcome,
} from "./support";

const world = useHookTestWorld();

function specWith(clientId: string, clientSecret: SecretReference) {
  return registrationSpec(world.ws.backend, { appKind: "custom_connection", clientId, clientSecret, scopes: ["accounting.invoices.read"] });
}

/** Everything a run could leak through: its output, its error (message and context), and every file it wrote. */
async function leakSurface(outcome: HookRunOutcome): Promise<string> {
  // inspect shows the message, stack, context and the whole cause chain.
  const error = outcome.error === undefined ? "" : inspect(outcome.error, { depth: 20 });
  return `${outcome.stdout}\n${outcome.stderr}\n${error}\n${JSON.stringify(outcome.result ?? {})}\n${await world.ws.allText()}`;
}

describe("secret from the environment", () => {
  it("is used and never stored, printed or returned", async () => {
    const app = await customConnectionApp(world.emulator);
    const outcome = await expectHookOk(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), {
      env: { SYNC_SECRET: app.clientSecret },
    });
    expect(outcome.result.outcome).toBe("recorded");
    expect(await leakSurface(outcome)).not.toContain(app.clientSecret);
  });

  it("fails with HOOK_SECRET_UNAVAILABLE naming the variable and how to provide it when it is not set", async () => {
    const app = await customConnectionApp(world.emulator);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }));
    expect(error?.code).toBe("HOOK_SECRET_UNAVAILABLE");
    expect(error?.message).toBe(
      `the client secret of Custom Connection "Nightly sync" (client id ${app.clientId}) comes from environment variable ` +
        `SYNC_SECRET, which is not set in the environment of the hook. Export SYNC_SECRET in the environment that runs ` +
        `cdktf deploy (for example from the pipeline's secret variables); nothing was recorded.`,
    );
  });

  it("counts an empty variable as not set", async () => {
    const app = await customConnectionApp(world.emulator);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), { env: { SYNC_SECRET: "" } });
    expect(error?.code).toBe("HOOK_SECRET_UNAVAILABLE");
  });
});

describe("secret from a file", () => {
  it("is read relative to the stack directory with its trailing newline stripped, and never stored", async () => {
    const app = await customConnectionApp(world.emulator);
    await fs.mkdir(path.join(world.ws.dir, "secrets"));
    await fs.writeFile(path.join(world.ws.dir, "secrets", "sync.txt"), `${app.clientSecret}\n`);
    const outcome = await expectHookOk(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "file", path: "secrets/sync.txt" }));
    expect(outcome.result.outcome).toBe("recorded");
    const leaks = (await leakSurface(outcome)).replace(`${path.join(world.ws.dir, "secrets", "sync.txt")}\n${app.clientSecret}\n`, "");
    expect(leaks).not.toContain(app.clientSecret);
  });

  it("fails with HOOK_SECRET_UNAVAILABLE naming the resolved path when the file is missing", async () => {
    const app = await customConnectionApp(world.emulator);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "file", path: "secrets/missing.txt" }));
    expect(error?.message).toBe(
      `the client secret of Custom Connection "Nightly sync" (client id ${app.clientId}) comes from file secrets/missing.txt, ` +
        `which cannot be read at ${path.join(world.ws.dir, "secrets", "missing.txt")} (ENOENT). Create that file holding only the ` +
        `secret (a relative path is taken from the stack directory ${world.ws.dir}), or fix the path in XeroSecret.fromFile; nothing was recorded.`,
    );
  });

  it("fails with HOOK_SECRET_UNAVAILABLE when the file holds only a newline", async () => {
    const app = await customConnectionApp(world.emulator);
    await fs.writeFile(path.join(world.ws.dir, "empty.txt"), "\n");
    const { error } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "file", path: "empty.txt" }));
    expect(error?.message).toContain(`comes from file empty.txt, but ${path.join(world.ws.dir, "empty.txt")} is empty. Write the secret into that file;`);
  });
});

describe("a secret too long for one", () => {
  it("fails with HOOK_SECRET_UNAVAILABLE naming the 4096-byte limit for a 5 MB file, sending nothing to Xero and echoing nothing of it", async () => {
    const app = await customConnectionApp(world.emulator);
    const content = `${"Q".repeat(64)}\n`.repeat(80_000);
    await fs.writeFile(path.join(world.ws.dir, "huge.txt"), content);
    const before = (await world.emulator.admin.requests()).length;
    const outcome = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "file", path: "huge.txt" }));
    expect(outcome.error?.code).toBe("HOOK_SECRET_UNAVAILABLE");
    expect(outcome.error?.message).toBe(
      `the client secret of Custom Connection "Nightly sync" (client id ${app.clientId}) comes from file huge.txt, which holds ` +
        "more than 4096 bytes, the most a client secret may have (Xero's are 48 characters). Make it hold only the secret, as " +
        "the Xero developer portal shows it; nothing was recorded.",
    );
    expect((await world.emulator.admin.requests()).length).toBe(before);
    expect((await leakSurface(outcome)).replace(content, "")).not.toContain("Q".repeat(64));
  });

  it("fails the same way for an environment variable over 4096 bytes", async () => {
    const app = await customConnectionApp(world.emulator);
    const outcome = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), {
      env: { SYNC_SECRET: "Z".repeat(4097) },
    });
    expect(outcome.error?.code).toBe("HOOK_SECRET_UNAVAILABLE");
    expect(outcome.error?.message).toContain("comes from environment variable SYNC_SECRET, which holds more than 4096 bytes");
  });
});

describe("secret from the state backend", () => {
  async function stageSecret(document: string, values: Record<string, string>): Promise<void> {
    const backend = await openWorkspaceBackend(world.ws);
    await backend.update(document, async (current) => ({ ...current?.values, generation: 0, secrets: await backend.sealSecrets(document, values) }));
    await backend.close();
  }

  it("is read from the document's encrypted secrets, and the envelope is kept as it was", async () => {
    const app = await customConnectionApp(world.emulator);
    await stageSecret("billing/Sync", { client_secret: app.clientSecret });
    const before = await openWorkspaceBackend(world.ws);
    const envelope = (await before.read("billing/Sync"))?.values.secrets;
    await before.close();
    const outcome = await expectHookOk(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "state", document: "billing/Sync", key: "client_secret" }));
    expect(outcome.result.outputs["client_id"]).toBe(app.clientId);
    const after = await openWorkspaceBackend(world.ws);
    expect((await after.read("billing/Sync"))?.values.secrets).toBe(envelope);
    await after.close();
    expect(await leakSurface(outcome)).not.toContain(app.clientSecret);
  });

  it("serves a link's app secret from the app's document", async () => {
    const app = await customConnectionApp(world.emulator);
    await stageSecret("billing/Sync", { client_secret: app.clientSecret });
    const spec = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: { source: "state", document: "billing/Sync", key: "client_secret" } });
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", spec);
    expect(result.outputs["tenant_id"]).toBe(app.tenantId);
  });

  it("fails with HOOK_SECRET_UNAVAILABLE listing the keys the document has when the key is missing", async () => {
    const app = await customConnectionApp(world.emulator);
    await stageSecret("billing/Sync", { pending_secret: "whatever-value-1" });
    const { error, result } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "state", document: "billing/Sync", key: "client_secret" }));
    expect(result).toBeUndefined();
    expect(error?.message).toMatch(
      new RegExp(
        `comes from key "client_secret" of state document "billing/Sync", but that document's secrets have no key "client_secret" ` +
          `\\(keys: "pending_secret"\\)\\. Write it into that document's secrets in local:.* \\(the secret rotation records the current secret there\\), or reference the secret with XeroSecret\\.fromEnv or XeroSecret\\.fromFile; nothing was recorded\\.$`,
      ),
    );
  });

  it("fails with HOOK_SECRET_UNAVAILABLE when the document does not exist", async () => {
    const app = await customConnectionApp(world.emulator);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "state", document: "billing/Other", key: "client_secret" }));
    expect(error?.code).toBe("HOOK_SECRET_UNAVAILABLE");
    expect(error?.message).toContain(`comes from key "client_secret" of state document "billing/Other", but that document does not exist in local:`);
  });
});

describe("the embedded default state key", () => {
  it("is found in the project root above the stack directory the hook runs in", async () => {
    const app = await customConnectionApp(world.emulator);
    await fs.writeFile(path.join(world.ws.dir, "cdktf.json"), "{}\n");
    const stackDir = path.join(world.ws.dir, "cdktf.out", "stacks", "billing");
    await fs.mkdir(stackDir, { recursive: true });
    // Staged from the project root with no key configured: the backend creates .cdktf-xero/state.key there.
    const staging = await openStateBackend({ type: "local", dir: ".cdktf-xero/state" }, { env: {}, cwd: world.ws.dir, logger: { warn: () => undefined } });
    await staging.update("billing/Sync", async () => ({ generation: 0, secrets: await staging.sealSecrets("billing/Sync", { client_secret: app.clientSecret }) }));
    await staging.close();
    const backend = { type: "local", dir: "../../../.cdktf-xero/state" } as const;
    const spec = registrationSpec(backend, {
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "state", document: "billing/Sync", key: "client_secret" },
      scopes: ["accounting.invoices.read"],
    });
    const { result, error } = await runHookIn(world.ws, world.emulator, "apply", spec, { env: { CDKTF_XERO_STATE_KEY: "" }, deps: { cwd: stackDir } });
    expect(error).toBeUndefined();
    expect(result?.backend).toBe(`local:${path.join(world.ws.dir, ".cdktf-xero", "state")}`);
  });
});

describe("secrets in failures", () => {
  it("never appear in output, messages or files when Xero rejects the secret", async () => {
    const app = await customConnectionApp(world.emulator);
    const wrong = "Wr0ng-but-s3cret-value-that-must-not-leak";
    const outcome = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), { env: { SYNC_SECRET: wrong } });
    expect(outcome.error?.code).toBe("HOOK_INVALID_CLIENT");
    expect(await leakSurface(outcome)).not.toContain(wrong);
  });

  it("never appear in the cause chain of an error a library raised with the secret in it", async () => {
    const app = await customConnectionApp(world.emulator);
    const outcome = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), {
      env: { SYNC_SECRET: app.clientSecret },
      deps: {
        createXeroClient: () => {
          throw new Error("client failed", { cause: new Error(`socket said ${app.clientSecret}`) });
        },
      },
    });
    expect(outcome.error?.message).toBe("client failed");
    expect(inspect(outcome.error, { depth: 10 })).toContain("socket said");
    expect(inspect(outcome.error, { depth: 10 })).not.toContain(app.clientSecret);
  });

  it("never appear when the scopes mismatch", async () => {
    const app = await customConnectionApp(world.emulator, { scopes: ["accounting.contacts"] });
    const outcome = await runHookIn(world.ws, world.emulator, "apply", specWith(app.clientId, { source: "env", name: "SYNC_SECRET" }), { env: { SYNC_SECRET: app.clientSecret } });
    expect(outcome.error?.code).toBe("HOOK_SCOPE_MISMATCH");
    expect(await leakSurface(outcome)).not.toContain(app.clientSecret);
  });
});
