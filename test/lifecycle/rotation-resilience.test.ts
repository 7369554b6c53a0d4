import { ManualClock } from "../../providers/clock";
import { ROTATION_FAILPOINTS, type RotationFailpoint } from "../../providers/lifecycle/rotation/failpoints";
import { openStateBackend, StateConflictError, StateUnavailableError, type StateBackend } from "../../providers/state";
import {
  APP_DOCUMENT,
  DAY_S,
  expectStaged,
  generateSecret,
  readRotation,
  registeredApp,
  ROTATION_DOCUMENT,
  SECRET_ENV,
  stageIn,
  START,
  type RegisteredApp,
} from "../rotation/support";
import { expectHookOk, linkSpec, openWorkspaceBackend, registrationSpec, runHookIn, useHookTestWorld, type RunOptions } from "./support";

/** What happens around a rotation: interference, outages, missing keys, crashes at each step, and the app hooks after it. */
const world = useHookTestWorld();

const at = (days: number): ManualClock => new ManualClock(new Date(START.getTime() + days * DAY_S * 1000));

function options(app: RegisteredApp, extra: RunOptions = {}): RunOptions {
  return { ...extra, env: { [SECRET_ENV]: app.secret, ...extra.env } };
}

/** Bootstrapped at START, then a second secret generated and staged; resolves to that secret. */
async function staged(app: RegisteredApp): Promise<string> {
  await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
  const second = await generateSecret(world.emulator, app.clientId);
  await expectStaged(world.ws, world.emulator, second);
  return second;
}

/** The real backend, except that `onWrite` runs instead of the write of the history action `action`. */
function intercepting(
  action: string,
  onWrite: (inner: StateBackend, proceed: () => ReturnType<StateBackend["write"]>) => ReturnType<StateBackend["write"]>,
): NonNullable<RunOptions["deps"]>["openBackend"] {
  return async (address, openOptions) => {
    const inner = await openStateBackend(address, openOptions);
    const wrapper: StateBackend = Object.create(inner) as StateBackend;
    wrapper.write = (name, serial, values, writeOptions) =>
      writeOptions?.action === action ? onWrite(inner, () => inner.write(name, serial, values, writeOptions)) : inner.write(name, serial, values, writeOptions);
    return wrapper;
  };
}

describe("a rotation under interference", () => {
  it("keeps CURRENT and warns when the candidate is removed between its test and its promotion", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await staged(app);
    const openBackend = intercepting("rotation:promoted", async (inner, proceed) => {
      // Someone who skipped the lock clears PENDING; the promotion's compare-and-swap must then fail.
      const current = await inner.read(ROTATION_DOCUMENT);
      const { pending: _dropped, ...rest } = await inner.openSecrets(current!);
      await inner.write(ROTATION_DOCUMENT, current!.serial, { ...current!.values, pending_fingerprint: "", secrets: await inner.sealSecrets(ROTATION_DOCUMENT, rest) });
      return proceed();
    });
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, deps: { openBackend } }));
    expect(stderr).toMatch(/^cdktf-xero: warning: billing\/Sync\/rotation: the candidate of rotation [0-9a-f-]{36} was removed or replaced while this run tested it; CURRENT is unchanged by it\.\n$/);
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: app.secret });
    expect(view.actions).not.toContain("rotation:promoted");
    expect(view.values).toMatchObject({ generation: 1, pending_fingerprint: "" });
  });

  it("loses nothing when the backend becomes unreachable between the test and the promotion, and the re-run promotes", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await staged(app);
    const openBackend = intercepting("rotation:promoted", async (inner) => {
      throw new StateUnavailableError(inner.label, ROTATION_DOCUMENT, "connection lost (injected by the test)");
    });
    const failed = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, deps: { openBackend } }));
    expect(failed.error?.code).toBe("STATE_UNAVAILABLE");
    const between = await readRotation(world.ws);
    expect(between.secrets).toEqual({ current: app.secret, pending: second });
    expect(between.values).toMatchObject({ step: "testing" });
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    expect((await readRotation(world.ws)).secrets).toEqual({ current: second, previous: app.secret });
  });

  it("re-reads and still promotes once when a writer that skipped the lock changed something else meanwhile", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await staged(app);
    let interfered = false;
    const openBackend = intercepting("rotation:promoted", async (inner, proceed) => {
      if (!interfered) {
        interfered = true;
        const current = await inner.read(ROTATION_DOCUMENT);
        await inner.write(ROTATION_DOCUMENT, current!.serial, { ...current!.values, note: "touched" });
        await expect(proceed()).rejects.toBeInstanceOf(StateConflictError);
      }
      return proceed();
    });
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, deps: { openBackend } }));
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.actions.filter((action) => action === "rotation:promoted")).toHaveLength(1);
  });

  it("fails with STATE_KEY_MISSING and changes nothing when the state key is missing, and the run with the key rotates", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await staged(app);
    const before = await readRotation(world.ws);
    const failed = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, env: { CDKTF_XERO_STATE_KEY: "" } }));
    expect(failed.error?.code).toBe("STATE_KEY_MISSING");
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    expect((await readRotation(world.ws)).secrets).toEqual({ current: second, previous: app.secret });
  });

  it("promotes exactly once when two runs of the same rotation race in one process", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await staged(app);
    const runs = await Promise.all([1, 2].map(() => runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }))));
    expect(runs.map((run) => run.error?.message)).toEqual([undefined, undefined]);
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ current: second, previous: app.secret });
    expect(view.actions.filter((action) => action === "rotation:promoted")).toHaveLength(1);
  });
});

describe("a rotation cut off at each step boundary, then run again", () => {
  /** Where each scenario's run passes: a failpoint never reached would prove nothing. */
  const reached: Record<string, readonly RotationFailpoint[]> = {
    bootstrap: ["locked", "bootstrap-proved", "bootstrapped", "recorded"],
    promotion: ["locked", "testing-recorded", "tested", "promoted", "recorded"],
    finish: ["locked", "finished", "recorded"],
  };

  /** Sets the scenario up at START and returns the clock of the run under test (a fixed clock: runs are comparable exactly). */
  async function scenario(name: string, app: RegisteredApp): Promise<ManualClock> {
    if (name === "bootstrap") return at(0);
    await staged(app);
    if (name === "promotion") return at(1);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(1) }));
    return at(9);
  }

  it("names only failpoints the protocol has", () => {
    expect(new Set(Object.values(reached).flat()).size).toBeLessThanOrEqual(ROTATION_FAILPOINTS.length);
    for (const point of Object.values(reached).flat()) expect(ROTATION_FAILPOINTS).toContain(point);
  });

  for (const [name, points] of Object.entries(reached)) {
    it(`ends a ${name} exactly where an uninterrupted run ends, whichever boundary it was cut at`, async () => {
      const app = await registeredApp(world.emulator, world.ws, "custom_connection");
      const clock = await scenario(name, app);
      const snapshot = async () => {
        const view = await readRotation(world.ws);
        // The envelope is re-encrypted with a fresh IV on every write: compare what it holds. The log
        // is history: it shows the cut-off attempt too.
        const { secrets: _envelope, rotation_log: _log, ...values } = view.values ?? {};
        return { values, secrets: view.secrets };
      };
      // The uninterrupted run, then the document put back as it was before it (same clock, same result).
      const backend = await openWorkspaceBackend(world.ws);
      const initial = await backend.read(ROTATION_DOCUMENT);
      const initialValues = initial?.values;
      await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2, clock }));
      const expected = await snapshot();
      for (const point of points) {
        const now = await backend.read(ROTATION_DOCUMENT);
        if (initialValues === undefined) await backend.delete(ROTATION_DOCUMENT);
        else await backend.write(ROTATION_DOCUMENT, now?.serial, initialValues);
        const cut = await runHookIn(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2, clock, env: { CDKTF_XERO_FAILPOINT: `${point}:throw` } }));
        expect(cut.error?.message).toBe(`failpoint ${point} reached (CDKTF_XERO_FAILPOINT; test only)`);
        await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 2, clock }));
        expect({ point, ...(await snapshot()) }).toEqual({ point, ...expected });
      }
      await backend.close();
    });
  }
});

describe("secret stage cut off at each of its step boundaries, then staged again and deployed", () => {
  for (const point of ["stage-tested", "staged"] as const) {
    it(`ends with the candidate promoted and nothing lost when cut at ${point}`, async () => {
      const app = await registeredApp(world.emulator, world.ws, "custom_connection");
      await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
      const second = await generateSecret(world.emulator, app.clientId);
      const cut = await stageIn(world.ws, world.emulator, second, { env: { CDKTF_XERO_FAILPOINT: `${point}:throw` } });
      expect(cut.error?.message).toBe(`failpoint ${point} reached (CDKTF_XERO_FAILPOINT; test only)`);
      // Whatever the cut left, CURRENT is the first secret, and staging again is safe.
      expect((await readRotation(world.ws)).secrets.current).toBe(app.secret);
      await expectStaged(world.ws, world.emulator, second);
      await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1, clock: at(1) }));
      const view = await readRotation(world.ws);
      expect(view.secrets).toEqual({ current: second, previous: app.secret });
      expect(view.actions.filter((action) => action === "rotation:promoted")).toHaveLength(1);
    });
  }
});

/** The app's own registration spec, declaring its secret as SECRET_ENV. */
function appRegistration(app: RegisteredApp) {
  return registrationSpec(world.ws.backend, {
    document: APP_DOCUMENT,
    appKind: "custom_connection",
    clientId: app.clientId,
    clientSecret: { source: "env", name: SECRET_ENV },
    scopes: ["accounting.invoices.read"],
  });
}

/** The keyed fingerprint the workspace's backend gives `secret`. */
async function fingerprintOf(secret: string): Promise<string> {
  const backend = await openWorkspaceBackend(world.ws);
  try {
    return (await backend.fingerprintSecret(secret)) ?? "";
  } finally {
    await backend.close();
  }
}

describe("the app's own hooks after a rotation", () => {
  it("registration apply proves the rotation's CURRENT, so it passes after the old secret was deleted in the portal", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await staged(app);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    await world.emulator.admin.deleteSecret(app.clientId, 1);
    const registration = registrationSpec(world.ws.backend, {
      document: APP_DOCUMENT,
      appKind: "custom_connection",
      clientId: app.clientId,
      clientSecret: { source: "env", name: SECRET_ENV },
      scopes: ["accounting.invoices.read"],
    });
    const { stdout } = await expectHookOk(world.ws, world.emulator, "apply", registration, options(app, { generation: 1 }));
    expect(stdout).toContain(`Custom Connection "Nightly sync" (client id ${app.clientId}) is live`);
  });

  it("warns, naming the variable and both fingerprints, when the declared secret is not the rotation's CURRENT, and proves CURRENT", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
    const wrong = "a-wrong-secret-in-the-pipeline";
    const { stdout, stderr } = await expectHookOk(world.ws, world.emulator, "apply", appRegistration(app), { env: { [SECRET_ENV]: wrong } });
    expect(stdout).toContain(`Custom Connection "Nightly sync" (client id ${app.clientId}) is live`);
    const view = await readRotation(world.ws);
    expect(stderr).toBe(
      `cdktf-xero: warning: Custom Connection "Nightly sync" (client id ${app.clientId}): the declared secret in environment variable ` +
        `${SECRET_ENV} (${await fingerprintOf(wrong)}) is not the rotation's CURRENT secret nor its PREVIOUS, and Xero rejects it ` +
        `(invalid_client): it is no secret of this app; the hooks use the CURRENT (${String(view.values?.["current_fingerprint"])}) of ` +
        `"${ROTATION_DOCUMENT}" and ignore the declared one. Set environment variable ${SECRET_ENV} to the current secret, or declare the secret as the ` +
        `rotation's CURRENT (XeroSecret.fromState(rotation, "current")).\n`,
    );
    expect(stderr + stdout).not.toContain(wrong);
    expect(stderr + stdout).not.toContain(app.secret);
  });

  it("says when a declared secret that is not CURRENT is still a live secret of the app, as Xero answers", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
    const other = await generateSecret(world.emulator, app.clientId);
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", appRegistration(app), { env: { [SECRET_ENV]: other } });
    expect(stderr).toContain(
      `environment variable ${SECRET_ENV} (${await fingerprintOf(other)}) is not the rotation's CURRENT secret nor its PREVIOUS, ` +
        "though Xero accepts it (another live secret of the app)",
    );
    expect(stderr).not.toContain(other);
  });

  it("warns that a declared secret left at the rotation's PREVIOUS is not CURRENT, without printing either secret", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await staged(app);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    const link = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: { source: "env", name: SECRET_ENV } });
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", link, options(app));
    expect(stderr).toContain(
      `the declared secret in environment variable ${SECRET_ENV} (${await fingerprintOf(app.secret)}) is the rotation's PREVIOUS secret, ` +
        `not its CURRENT; the hooks use the CURRENT (${await fingerprintOf(second)}) of "${ROTATION_DOCUMENT}" and ignore the declared one.`,
    );
    expect(stderr).not.toContain(app.secret);
    expect(stderr).not.toContain(second);
  });

  it("says nothing about the declared secret when it is the rotation's CURRENT", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app));
    const { stderr } = await expectHookOk(world.ws, world.emulator, "apply", appRegistration(app), options(app));
    expect(stderr).toBe("");
  });

  it("a link's apply uses the rotation's CURRENT too, and names it when Xero rejects it", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await staged(app);
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, options(app, { generation: 1 }));
    const link = linkSpec(world.ws.backend, { clientId: app.clientId, clientSecret: { source: "env", name: SECRET_ENV } });
    await world.emulator.admin.deleteSecret(app.clientId, 1);
    await expectHookOk(world.ws, world.emulator, "apply", link, options(app));
    await world.emulator.admin.deleteSecret(app.clientId, 2);
    const { error } = await runHookIn(world.ws, world.emulator, "apply", link, options(app));
    expect(error?.code).toBe("HOOK_INVALID_CLIENT");
    expect(error?.message).toContain(`the secret in key "current" of state document "${ROTATION_DOCUMENT}" is one of its current secrets`);
  });
});
