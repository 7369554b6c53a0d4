import * as path from "node:path";
import { ManualClock } from "../../providers/clock";
import {
  APP_DOCUMENT,
  expectStaged,
  generateSecret,
  readRotation,
  registeredApp,
  ROTATION_DOCUMENT,
  SECRET_ENV,
  stageIn,
  START,
} from "../rotation/support";
import { customConnectionApp, expectHookOk, REDIRECT_URI, registrationSpec, useHookTestWorld } from "./support";

/** `secret stage` as a library call (providers/lifecycle/rotation/stage.ts), against the emulator and a local backend. */
const world = useHookTestWorld();

async function tokenRequests(): Promise<number> {
  return (await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith("/connect/token")).length;
}

describe("secret stage", () => {
  it("takes the rotation id from the injected newId when no newRotationId is given", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId), { newId: () => "id-from-newId" });
    expect(outcome.result).toMatchObject({ outcome: "staged", rotationId: "id-from-newId" });
    expect((await readRotation(world.ws)).values).toMatchObject({ rotation_id: "id-from-newId" });
  });

  it("proves the candidate with Xero, then records it PENDING with a new rotation id and bumps generation", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    const outcome = await stageIn(world.ws, world.emulator, second, { newRotationId: () => "rot-1" });
    expect(outcome.result).toMatchObject({
      appDocument: APP_DOCUMENT,
      document: ROTATION_DOCUMENT,
      outcome: "staged",
      rotationId: "rot-1",
      generation: 1,
    });
    const view = await readRotation(world.ws);
    expect(view.secrets).toEqual({ pending: second });
    expect(view.values).toMatchObject({ generation: 1, step: "staged", rotation_id: "rot-1", pending_staged_at: "2026-05-01T00:00:00Z" });
    expect(view.values?.["pending_fingerprint"]).toBe(outcome.result?.pendingFingerprint);
    expect(view.actions).toEqual(["create", "rotation:staged"]);
    expect(outcome.stdout).toBe(
      `cdktf-xero: Xero accepted the candidate for Custom Connection "Nightly sync" (client id ${app.clientId}); staged it as PENDING ` +
        `${outcome.result?.pendingFingerprint} (rotation rot-1) in "${ROTATION_DOCUMENT}" in ${outcome.result?.backend}, generation 1. ` +
        "`cdktf diff` now shows the rotation as a replacement; cdktf deploy carries it out.\n",
    );
  });

  it("records the PENDING fingerprint when no state key exists yet and staging creates the default key", async () => {
    const noKey = { CDKTF_XERO_STATE_KEY: "" };
    const app = await registeredApp(world.emulator, world.ws, "custom_connection", {}, noKey);
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId), { env: noKey });
    expect(outcome.stderr).toContain("created a state key at");
    expect(outcome.result?.pendingFingerprint).toMatch(/^hmac-sha256:[^:]+:[0-9a-f]{32}$/);
    expect((await readRotation(world.ws, ROTATION_DOCUMENT, noKey)).values?.["pending_fingerprint"]).toBe(outcome.result?.pendingFingerprint);
  });

  it("refuses an app no deployed XeroSecretRotation names with ROTATION_NOT_DECLARED, saying to declare one, and writes nothing", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection", {}, {}, { declareRotation: false });
    const requests = await tokenRequests();
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    expect(outcome.error?.code).toBe("ROTATION_NOT_DECLARED");
    expect(outcome.error?.message).toBe(
      `cannot stage a secret for app document "${APP_DOCUMENT}" in local:${path.join(world.ws.dir, "state")}: no ` +
        `XeroSecretRotation is deployed for it (its rotation document "${ROTATION_DOCUMENT}" does not exist), so nothing would ` +
        `promote the secret. Declare one with the app as its app (new XeroSecretRotation(stack, "SyncRotation", { app: <the ` +
        `XeroAppRegistration of ${APP_DOCUMENT}> })), run cdktf deploy (which creates that document), then stage again; nothing was written.`,
    );
    expect(outcome.stdout).toBe("");
    expect((await readRotation(world.ws)).values).toBeUndefined();
    expect(await tokenRequests()).toBe(requests);
  });

  it("names the app's document when given the rotation's own document instead", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId), { appDocument: ROTATION_DOCUMENT });
    expect(outcome.error?.code).toBe("ROTATION_APP_UNUSABLE");
    expect(outcome.error?.message).toBe(
      `cannot stage a secret for app document "${ROTATION_DOCUMENT}" in local:${path.join(world.ws.dir, "state")}: that is the ` +
        `rotation document of app "${APP_DOCUMENT}", not an app registration's document. Name the app's document: ` +
        `\`cdktf-xero secret stage ${APP_DOCUMENT} --backend local:state\`; nothing was written.`,
    );
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("tests a Web app's candidate with the invalid-code probe", async () => {
    const app = await registeredApp(world.emulator, world.ws, "web");
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    expect(outcome.result?.outcome).toBe("staged");
    const probes = (await world.emulator.admin.requests()).filter((entry) => entry.path.endsWith("/connect/token"));
    expect(probes.at(-1)?.status).toBe(400);
  });

  it("rejects a mistyped candidate with ROTATION_CANDIDATE_REJECTED and writes nothing", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    // Its last character changed, to one it cannot already be (a random secret ends in "x" one time in 64).
    const mistyped = `${second.slice(0, -1)}${second.endsWith("x") ? "y" : "x"}`;
    const outcome = await stageIn(world.ws, world.emulator, mistyped);
    expect(outcome.error?.code).toBe("ROTATION_CANDIDATE_REJECTED");
    expect(outcome.error?.message).toBe(
      `Xero rejected the candidate secret of Custom Connection "Nightly sync" (client id ${app.clientId}) with invalid_client. ` +
        `Check at https://developer.xero.com/app/manage that it is a secret of client id ${app.clientId} that was generated for this ` +
        `app and not deleted since (copy it again: a stray space or a truncated paste is the usual cause); nothing was written.`,
    );
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("says a candidate equal to CURRENT is already current, without asking Xero or writing", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await expectHookOk(world.ws, world.emulator, "apply", app.spec, { env: { [SECRET_ENV]: app.secret } });
    const before = await readRotation(world.ws);
    const requests = await tokenRequests();
    const outcome = await stageIn(world.ws, world.emulator, app.secret);
    expect(outcome.result?.outcome).toBe("already_current");
    expect(outcome.stdout).toBe(
      `cdktf-xero: the candidate is already the CURRENT secret of Custom Connection "Nightly sync" (client id ${app.clientId}) ` +
        `("${ROTATION_DOCUMENT}" in ${outcome.result?.backend}); nothing changed.\n`,
    );
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
    expect(await tokenRequests()).toBe(requests);
  });

  it("is idempotent: the same candidate staged twice keeps one rotation id and one generation bump", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const second = await generateSecret(world.emulator, app.clientId);
    const first = await expectStaged(world.ws, world.emulator, second);
    const again = await stageIn(world.ws, world.emulator, second);
    expect(again.result).toMatchObject({ outcome: "already_staged", rotationId: first.rotationId, generation: 1, serial: first.serial });
  });

  it("replaces a different staged candidate with a new rotation id, naming the one it replaced", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    const first = await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    const third = await generateSecret(world.emulator, app.clientId);
    const outcome = await stageIn(world.ws, world.emulator, third, { clock: new ManualClock(new Date(START.getTime() + 1000)) });
    expect(outcome.result).toMatchObject({ outcome: "staged", generation: 2, replacedFingerprint: first.pendingFingerprint });
    expect(outcome.result?.rotationId).not.toBe(first.rotationId);
    expect((await readRotation(world.ws)).secrets).toEqual({ pending: third });
  });

  it("refuses an app document name too long for a file name with CONFIG_INVALID, naming the limits and the lengths but not the name", async () => {
    const name = `billing/${"S".repeat(250)}`;
    const outcome = await stageIn(world.ws, world.emulator, "abc", { appDocument: name });
    expect(outcome.error?.code).toBe("CONFIG_INVALID");
    expect(outcome.error?.message).toBe(
      "the app document name is 258 characters long, its longest segment 250; the limits are 1024 and 200 per segment (file " +
        "names are limited to 255 bytes); the value given is not shown; nothing was written",
    );
  });

  it("refuses a candidate over 4096 bytes with CONFIG_INVALID, without asking Xero or writing", async () => {
    await registeredApp(world.emulator, world.ws, "custom_connection");
    const requests = await tokenRequests();
    const outcome = await stageIn(world.ws, world.emulator, "K".repeat(4097));
    expect(outcome.error?.code).toBe("CONFIG_INVALID");
    expect(outcome.error?.message).toBe(
      "the candidate secret holds more than 4096 bytes, the most a client secret may have (Xero's are 48 characters): pipe or " +
        "name only the secret, as the Xero developer portal shows it; nothing was sent to Xero or written",
    );
    expect(await tokenRequests()).toBe(requests);
    expect((await readRotation(world.ws)).values).toEqual({ generation: 0 });
  });

  it("refuses an app document that does not exist with ROTATION_APP_UNUSABLE", async () => {
    const outcome = await stageIn(world.ws, world.emulator, "abc", { appDocument: "billing/Nope" });
    expect(outcome.error?.code).toBe("ROTATION_APP_UNUSABLE");
    expect(outcome.error?.message).toBe(
      `cannot stage a secret for app document "billing/Nope" in local:${path.join(world.ws.dir, "state")}: it does not ` +
        "exist. Check the name (`cdktf-xero state list --backend local:state` lists them) and the backend, and deploy the " +
        "XeroAppRegistration first; nothing was written.",
    );
  });

  it("refuses a PKCE app, which has no client secret", async () => {
    const created = await world.emulator.admin.createApp({ kind: "pkce", name: "Desk", scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    const spec = registrationSpec(world.ws.backend, { document: APP_DOCUMENT, appKind: "pkce", clientId: created.clientId, scopes: ["openid"], redirectUris: [REDIRECT_URI] });
    await expectHookOk(world.ws, world.emulator, "apply", spec);
    const outcome = await stageIn(world.ws, world.emulator, "abc");
    expect(outcome.error?.code).toBe("ROTATION_APP_UNUSABLE");
    expect(outcome.error?.message).toContain("it is a pkce app, which has no client secret to rotate. Stage secrets only for Web apps and Custom Connections");
  });

  it("refuses a candidate with whitespace inside as a paste error, before asking Xero", async () => {
    const { clientId } = await customConnectionApp(world.emulator);
    expect(clientId).toBeDefined();
    const outcome = await stageIn(world.ws, world.emulator, "abc def");
    expect(outcome.error?.code).toBe("CONFIG_INVALID");
    expect(outcome.error?.message).toBe(
      "the candidate secret holds whitespace or control characters (a paste error?): copy it again from the Xero developer portal; nothing was written",
    );
  });

  it("fails with STATE_KEY_MISSING and changes nothing when the rotation's secrets cannot be read", async () => {
    const app = await registeredApp(world.emulator, world.ws, "custom_connection");
    await expectStaged(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId));
    const before = await readRotation(world.ws);
    const outcome = await stageIn(world.ws, world.emulator, await generateSecret(world.emulator, app.clientId), { env: { CDKTF_XERO_STATE_KEY: "" } });
    expect(outcome.error?.code).toBe("STATE_KEY_MISSING");
    expect((await readRotation(world.ws)).serial).toBe(before.serial);
  });
});
