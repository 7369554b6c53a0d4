import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManualClock } from "../../providers/clock";
import { openStateBackend, StateConflictError, type StateBackend } from "../../providers/state";
import { hashHookSpec } from "../../contract/hook-spec";
import {
  APP_DOCUMENT,
  DAY_S,
  expectStaged,
  generateSecret,
  readRotation,
  registeredApp,
  ROTATION_DOCUMENT,
  SECRET_ENV,
  START,
  type RegisteredApp,
} from "../rotation/support";
import { customConnectionApp, expectHookOk, registrationSpec, runHookIn, useHookTestWorld, type RunOptions, type Workspace } from "./support";

/** `hook apply` / `hook destroy` of a secret_rotation, in-process against the emulator and a local backend. */
const world = useHookTestWorld();

const at = (days: number): ManualClock => new ManualClock(new Date(START.getTime() + days * DAY_S * 1000));
const iso = (days: number): string => new Date(START.getTime() + days * DAY_S * 1000).toISOString().replace(".000Z", "Z");

function options(app: RegisteredApp, extra: RunOptions = {}): RunOptions {
  return { ...extra, env: { [SECRET_ENV]: app.secret, ...extra.env } };
}

/** Registered, bootstrapped at START (CURRENT = the app's first secret), generation 0. */
async function bootstrapped(appKind: "custom_connection" | "web" = "custom_connection", fields = {}) {
  const app = await registeredApp(world.emulator, world.ws, appKind, fields);
  await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
  return app;
}

describe("hook apply of a secret rotation: bootstrap", () => {
  it("takes the app's declared secret as CURRENT once Xero accepts it, with rotated_at, next_due and the 80% due_at", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2 }));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: app.secret });
    expect(view.values).toMatchObject({
      generation: 2,
      applied_generation: 2,
      rotated_at: iso(0),
      next_due: iso(90),
      due_at: iso(72),
      previous_expires_at: "",
      pending_fingerprint: "",
      step: "bootstrapped",
      client_id: app.clientId,
      spec_sha256: hashHookSpec(app.spec),
    });
    expect(view.values?.["current_fingerprint"]).toMatch(/^hmac-sha256:t:[0-9a-f]{32}$/);
    expect(view.actions).toEqual(["create", "rotation:bootstrapped", "write"]);
    expect(stdout).toContain(`took the declared secret of Custom Connection "Nightly sync" (client id ${app.clientId}) (environment variable ${SECRET_ENV}) as CURRENT`);
  });

  it("records the CURRENT fingerprint on the first bootstrap when no state key exists yet and the run creates the default key", async () => {
    const noKey = { CDKTF_XERO_STATE_KEY: "" };
    const app = await registeredApp(world.emulator, world.ws, "custom_connection", {}, noKey);
    const { stdout, stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { env: noKey }));
    expect(stderr).toContain("created a state key at");
    const view = await readRotation(world.ws, ROTATION_DOCUMENT, noKey);
    expect(view.secrets).toEqual({ current: app.secret });
    const fingerprint = view.values?.["current_fingerprint"];
    expect(fingerprint).toMatch(/^hmac-sha256:[^:]+:[0-9a-f]{32}$/);
    // After the init hook's "create": the bootstrap's own entry.
    expect(view.actions).toEqual(["create", "rotation:bootstrapped", "write"]);
    expect(view.history[1]?.secretFingerprints).toEqual({ current: fingerprint });
    expect(stdout).toContain(`as CURRENT ${String(fingerprint)}; consumers read it from this document from now on.`);
  });

  it("fails with ROTATION_UNSETTLED when a writer that skips the lock changes the document before every write", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    // Each write of the rotation document loses its compare-and-swap, as it would to such a writer.
    const racedBackend = async (...args: Parameters<typeof openStateBackend>): Promise<StateBackend> => {
      const real = await openStateBackend(...args);
      const raced: StateBackend = Object.create(real);
      return Object.assign(raced, {
        write: (...write: Parameters<StateBackend["write"]>) =>
          write[0] === ROTATION_DOCUMENT ? Promise.reject(new StateConflictError(write[0], 1, 2)) : real.write(...write),
      });
    };
    const { error } = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { deps: { openBackend: racedBackend } }));
    expect(error).toMatchObject({
      code: "ROTATION_UNSETTLED",
      message:
        `the rotation in "${ROTATION_DOCUMENT}" did not settle after 12 passes: each time, its compare-and-swap found the document ` +
        "changed by a writer that does not take the document's lock (not cdktf-xero's hooks or commands, which do). Find and stop " +
        `that writer (\`cdktf-xero state history ${ROTATION_DOCUMENT}\` names who changed it), then run cdktf deploy again; every step ` +
        "completed so far stands, and CURRENT is unchanged by the step that lost.",
    });
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("fails with HOOK_INVALID_CLIENT and writes nothing when Xero rejects the declared secret", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const { error } = await runHookIn(world.ws, world.emulator, "apply", app.spec, { env: { [SECRET_ENV]: "not-the-secret" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("fails with ROTATION_NO_SECRET when the declared secret is the rotation's own CURRENT and nothing is staged", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const spec = { ...app.spec, app: { ...app.spec.app, clientSecret: { source: "state" as const, document: ROTATION_DOCUMENT, key: "current" } } };
    const { error } = await runHookIn(world.ws, world.emulator, "apply", spec);
    expect(error?.code).toBe("ROTATION_NO_SECRET");
    expect(error?.message).toBe(
      `Custom Connection "Nightly sync" (client id ${app.clientId}) declares its secret as the CURRENT of its own rotation ` +
        `("${ROTATION_DOCUMENT}"), which holds none yet. Stage the first secret: 1) at https://developer.xero.com/app/manage open ` +
        `Custom Connection "Nightly sync" (client id ${app.clientId}) and generate another client secret (keep the current one until ` +
        `the rotation is deployed); 2) stage it: \`cdktf-xero secret stage ${APP_DOCUMENT} --backend local:state\` with the secret on stdin (or --from-env ` +
        `NAME), never as an argument; 3) run cdktf deploy: the plan shows the rotation as a replacement.`,
    );
  });

  it("prints the stage command without --backend when the documents are in the project's default .cdktf-xero/state", async () => {
    // A project as cdktf lays it out: hooks run in the stack directory, the operator stages from the root.
    writeFileSync(join(world.ws.dir, "cdktf.json"), "{}");
    const stackDir = join(world.ws.dir, "cdktf.out", "stacks", "prod");
    mkdirSync(stackDir, { recursive: true });
    const stack: Workspace = { ...world.ws, dir: stackDir, backend: { type: "local", dir: "../../../.cdktf-xero/state" } };
    const app = await registeredApp(world.emulator, stack, "custom_connection");
    const spec = { ...app.spec, app: { ...app.spec.app, clientSecret: { source: "state" as const, document: ROTATION_DOCUMENT, key: "current" } } };
    const { error } = await runHookIn(stack, world.emulator, "apply", spec);
    expect(error?.code).toBe("ROTATION_NO_SECRET");
    expect(error?.message).toContain(`2) stage it: \`cdktf-xero secret stage ${APP_DOCUMENT}\` with the secret on stdin`);
  });

  it("promotes a staged secret straight to CURRENT when there is no CURRENT yet, with no PREVIOUS", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    await expectStaged(world.ws, world.emulator, second);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: second });
    expect(view.values).toMatchObject({ step: "promoted", previous_expires_at: "", previous_fingerprint: "" });
  });
});

describe.each(["custom_connection", "web"] as const)("hook apply of a secret rotation: a staged %s secret", (appKind) => {
  it("is tested, then promoted in one write: CURRENT := candidate, PREVIOUS := old CURRENT until keepPrevious, PENDING cleared", async () => {
    const app = await bootstrapped(appKind);
    const second = await generateSecret(world.emulator, app.clientId);
    const staged = await expectStaged(world.ws, world.emulator, second, at(10));
    expect(staged.generation).toBe(1);
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(10) }));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.values).toMatchObject({
      generation: 1,
      rotated_at: iso(10),
      next_due: iso(100),
      previous_expires_at: iso(17),
      due_at: iso(17),
      pending_fingerprint: "",
      rotation_id: staged.rotationId,
      step: "promoted",
      current_fingerprint: staged.pendingFingerprint,
    });
    expect(view.actions).toEqual(["create", "rotation:bootstrapped", "write", "rotation:staged", "rotation:testing", "rotation:promoted", "write"]);
    expect(stdout).toContain(`rotation ${staged.rotationId} promoted: CURRENT is now ${staged.pendingFingerprint}; PREVIOUS `);
  });
});

describe("hook apply of a secret rotation: outcomes", () => {
  it("records the trigger generation it ran for and a due_at after now, so the next plan is clean", async () => {
    const app = await bootstrapped();
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 7, clock: at(30) }));
    expect((await readRotation(world.ws)).values).toMatchObject({ generation: 7, due_at: iso(72) });
  });

  it("writes nothing when a run finds nothing to do", async () => {
    const app = await bootstrapped();
    const before = await readRotation(world.ws);
    const { result } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { clock: at(1) }));
    expect(result.outcome).toBe("unchanged");
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
  });

  it("keeps PENDING and CURRENT and fails with ROTATION_CANDIDATE_REJECTED when Xero rejects the staged candidate", async () => {
    const app = await bootstrapped();
    const second = await generateSecret(world.emulator, app.clientId);
    const staged = await expectStaged(world.ws, world.emulator, second);
    await world.emulator.admin.deleteSecret(app.clientId, 2);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    expect(error?.code).toBe("ROTATION_CANDIDATE_REJECTED");
    expect(error?.message).toBe(
      `Xero rejected the staged candidate (rotation ${staged.rotationId}, fingerprint ${staged.pendingFingerprint}) of Custom Connection ` +
        `"Nightly sync" (client id ${app.clientId}) with invalid_client. Check at https://developer.xero.com/app/manage that it is a ` +
        `secret of client id ${app.clientId} that was generated for this app and not deleted since (copy it again: a stray space or a ` +
        `truncated paste is the usual cause); CURRENT is unchanged and the candidate stays PENDING in "${ROTATION_DOCUMENT}"; stage ` +
        `the right secret to replace it.`,
    );
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: app.secret, pending: second });
    expect(view.values).toMatchObject({ step: "test_failed", generation: 1, applied_generation: 0 });
    expect(view.actions.slice(-3)).toEqual(["rotation:staged", "rotation:testing", "rotation:test_failed"]);
  });

  it("drops PREVIOUS on the first run after keepPrevious has passed, and says to delete it in the portal", async () => {
    const app = await bootstrapped();
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2, clock: at(7) }));
    const view = await readRotation(world.ws);
    expect(Object.keys(view.secrets)).toEqual(["current"]);
    expect(view.values).toMatchObject({ step: "finished", previous_expires_at: "", previous_fingerprint: "", due_at: iso(72) });
    expect(stdout).toContain(`dropped PREVIOUS hmac-sha256:t:`);
    expect(stdout).toContain(`(kept 604800 s after the rotation). If Xero still lists that secret for Custom Connection "Nightly sync"`);
  });

  it("keeps PREVIOUS while keepPrevious has not passed", async () => {
    const app = await bootstrapped();
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(6.9) }));
    expect(Object.keys((await readRotation(world.ws)).secrets).sort()).toEqual(["current", "previous"]);
  });

  it("warns from 80% of maxAge with the portal steps, and schedules the next run at the maxAge deadline", async () => {
    const app = await bootstrapped();
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(73) }));
    expect(stderr).toBe(
      `cdktf-xero: warning: ${ROTATION_DOCUMENT}: the client secret of Custom Connection "Nightly sync" (client id ${app.clientId}) ` +
        `is 73 days old and due on ${iso(90)} (80% of maxAge reached). Rotate it before then: 1) at https://developer.xero.com/app/manage ` +
        `open Custom Connection "Nightly sync" (client id ${app.clientId}) and generate another client secret (keep the current one ` +
        `until the rotation is deployed); 2) stage it: \`cdktf-xero secret stage ${APP_DOCUMENT} --backend local:state\` with the secret on stdin (or ` +
        `--from-env NAME), never as an argument; 3) run cdktf deploy: the plan shows the rotation as a replacement.\n`,
    );
    expect((await readRotation(world.ws)).values).toMatchObject({ due_at: iso(90), generation: 1 });
  });

  it("prints no warning before 80% of maxAge", async () => {
    const app = await bootstrapped();
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { clock: at(71) }));
    expect(stderr).toBe("");
  });

  it("warns that an overdue secret is overdue, succeeds with onOverdue warn, and asks for a daily reminder run", async () => {
    const app = await bootstrapped();
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(91) }));
    expect(stderr).toContain(
      `warning: ${ROTATION_DOCUMENT}: the client secret of Custom Connection "Nightly sync" (client id ${app.clientId}) is overdue: ` +
        `91 days old, due since ${iso(90)}. Rotate it: 1) at https://developer.xero.com/app/manage`,
    );
    expect((await readRotation(world.ws)).values).toMatchObject({ due_at: iso(92), generation: 1 });
  });

  it("fails an overdue secret with ROTATION_OVERDUE under onOverdue fail, recording nothing", async () => {
    const app = await bootstrapped("custom_connection", { onOverdue: "fail" });
    const before = await readRotation(world.ws);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(91) }));
    expect(error?.code).toBe("ROTATION_OVERDUE");
    expect(error?.message).toMatch(
      new RegExp(`^the client secret of Custom Connection "Nightly sync" \\(client id ${app.clientId}\\) is overdue: 91 days old, due since ${iso(90)} \\(rotation document "${ROTATION_DOCUMENT}", onOverdue: fail\\)\\. Rotate it: 1\\) at https://developer\\.xero\\.com/app/manage`),
    );
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
  });

  it("rotates an overdue secret when a candidate is staged, and then neither warns nor fails", async () => {
    const app = await bootstrapped("custom_connection", { onOverdue: "fail" });
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId), at(95));
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(95) }));
    expect(stderr).toBe("");
    expect((await readRotation(world.ws)).values).toMatchObject({ rotated_at: iso(95), next_due: iso(185) });
  });
});

describe("hook apply of a secret rotation inside keepPrevious", () => {
  it("warns that a second promotion ends the previous secret's grace early, naming until when it was kept", async () => {
    const app = await bootstrapped();
    const second = await generateSecret(world.emulator, app.clientId);
    await expectStaged(world.ws, world.emulator, second);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(1) }));
    const third = await generateSecret(world.emulator, app.clientId);
    await expectStaged(world.ws, world.emulator, third, at(2));
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2, clock: at(2) }));
    expect(stderr).toContain(`was to stay recorded until ${iso(8)}; this rotation replaced it early`);
    expect(stderr).not.toContain(app.secret);
    expect((await readRotation(world.ws)).secrets).toEqual({ current: third, previous: second });
  });
});

describe("hook apply of a secret rotation after the app's client id changed", () => {
  it("lets the app's own hooks prove the new client with its declared secret, not the old client's CURRENT", async () => {
    await bootstrapped();
    const created = await customConnectionApp(world.emulator);
    const registration = registrationSpec(world.ws.backend, {
      document: APP_DOCUMENT,
      appKind: "custom_connection",
      clientId: created.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const { error, result } = await runHookIn(world.ws, world.emulator, "apply", registration, { env: { [SECRET_ENV]: created.clientSecret } });
    expect(error).toBeUndefined();
    expect(result?.outcome).toBe("recorded");
  });

  it("replaces the old client's secrets once the declared secret is proved, with a warning", async () => {
    const first = await bootstrapped();
    const replacement = await registeredApp(world.emulator, world.ws, "custom_connection");
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", replacement.spec, options(replacement));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: replacement.secret });
    expect(view.values).toMatchObject({ client_id: replacement.clientId, step: "bootstrapped", previous_expires_at: "" });
    expect(view.actions).toEqual(["create", "rotation:bootstrapped", "write", "rotation:bootstrapped", "write"]);
    expect(stderr).toContain(
      `the rotation holds secrets of client id ${first.clientId}, but the app is now client id ${replacement.clientId}; ` +
        `they are replaced once a secret of this client is proved`,
    );
    expect(stderr).not.toContain(first.secret);
  });

  it("keeps the old client's secrets when the new client's declared secret is rejected", async () => {
    const first = await bootstrapped();
    const replacement = await registeredApp(world.emulator, world.ws, "custom_connection");
    const { error } = await runHookIn(world.ws, world.emulator, "apply", replacement.spec, { env: { [SECRET_ENV]: "not-the-new-secret" } });
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: first.secret });
    expect(view.values?.["client_id"]).toBe(first.clientId);
  });

  it("does not keep the old client's CURRENT as PREVIOUS when a staged secret of the new client is promoted", async () => {
    await bootstrapped();
    const replacement = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, replacement.clientId);
    await expectStaged(world.ws, world.emulator, second);
    await expectHookOk(world.ws, world.emulator, "apply", replacement.spec, options(replacement, { generation: 1 }));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: second });
    expect(view.values).toMatchObject({ client_id: replacement.clientId, step: "promoted", previous_expires_at: "" });
  });
});

describe("hook destroy of a secret rotation", () => {
  it("drops a staged candidate, keeps CURRENT and PREVIOUS for consumers, and retires the document", async () => {
    const app = await bootstrapped();
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", app.spec, options(app));
    expect(result.outcome).toBe("retired");
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: app.secret });
    expect(view.values).toMatchObject({ retired: true, pending_fingerprint: "", step: "pending_cleared" });
    expect(view.actions.slice(-2)).toEqual(["rotation:pending_cleared", "retire"]);
  });

  it("leaves the document alone when a newer apply superseded the run being destroyed", async () => {
    const app = await bootstrapped();
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    const before = await readRotation(world.ws);
    const { result } = await expectHookOk(world.ws, world.emulator, "destroy", app.spec, options(app, { generation: 5 }));
    expect(result.outcome).toBe("superseded");
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
  });
});
