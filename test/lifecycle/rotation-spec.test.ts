import { NEVER_DUE } from "../../contract/document-codec";
import { HookSpecError, parseHookSpec } from "../../contract/hook-spec";
import { rotationDocumentFor, RotationOutputs, type SecretRotationSpec } from "../../contract/rotation";

const app = {
  document: "stack/App",
  backend: { type: "local", dir: "../../state" },
  appName: "Nightly sync",
  appKind: "custom_connection",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: { source: "env", name: "XERO_SECRET" },
  scopes: ["accounting.invoices.read"],
} as const;

const valid = {
  version: 1,
  kind: "secret_rotation",
  document: "stack/App/rotation",
  backend: { type: "local", dir: "../../state" },
  app,
  maxAgeSeconds: 7_776_000,
  keepPreviousSeconds: 604_800,
  onOverdue: "warn",
};

function problemsOf(value: unknown): readonly string[] {
  try {
    parseHookSpec(value);
  } catch (error) {
    if (error instanceof HookSpecError) return error.problems;
    throw error;
  }
  return [];
}

describe("secret_rotation spec", () => {
  it("parses a valid rotation spec unchanged", () => {
    const spec = parseHookSpec(valid) as SecretRotationSpec;
    expect(spec).toEqual(valid);
  });

  it("names the rotation document after the app's document", () => {
    expect(rotationDocumentFor("stack/App")).toBe("stack/App/rotation");
  });

  it("rejects a document that is not the app's document plus /rotation", () => {
    expect(problemsOf({ ...valid, document: "stack/Other" })).toEqual([
      'spec.document must be "stack/App/rotation" (the app\'s document + "/rotation"), got "stack/Other"',
    ]);
  });

  it("rejects a backend other than the app's", () => {
    expect(problemsOf({ ...valid, backend: { type: "pg", schema: "xero" } })).toEqual([
      'spec.backend must be the app\'s backend ({"type":"local","dir":"../../state"}), got {"type":"pg","schema":"xero"}',
    ]);
  });

  it("rejects a pkce app, which has no secret to rotate", () => {
    expect(problemsOf({ ...valid, app: { ...app, appKind: "pkce" } })).toEqual([
      'spec.app.appKind must be one of web, custom_connection, got "pkce"',
    ]);
  });

  it("rejects a zero maxAgeSeconds and a negative keepPreviousSeconds", () => {
    expect(problemsOf({ ...valid, maxAgeSeconds: 0, keepPreviousSeconds: -1 })).toEqual([
      "spec.maxAgeSeconds must be a whole number of seconds from 1 to 316224000 (3660 days), got 0",
      "spec.keepPreviousSeconds must be a whole number of seconds from 0 to 316224000 (3660 days), got -1",
    ]);
  });

  it("rejects an onOverdue other than warn or fail", () => {
    expect(problemsOf({ ...valid, onOverdue: "ignore" })).toEqual(['spec.onOverdue must be one of warn, fail, got "ignore"']);
  });

  it("rejects unknown fields of the app", () => {
    expect(problemsOf({ ...valid, app: { ...app, redirectUris: [] } })).toEqual(["spec.app.redirectUris is not a field of this spec"]);
  });

  it("gives every rotation output a Terraform type and a status default except the secrets envelope", () => {
    const readBack = ["generation", "dueAt", "currentFingerprint", "rotatedAt", "nextDue", "previousExpiresAt", "pendingFingerprint", "rotationId", "step"] as const;
    for (const field of Object.values(RotationOutputs.fields)) expect(field.type).toBeDefined();
    for (const key of readBack) expect(RotationOutputs.statusDefaults[RotationOutputs.names[key]]).toBeDefined();
    expect(RotationOutputs.statusDefaults[RotationOutputs.names.secrets]).toBeUndefined();
    expect(RotationOutputs.statusDefaults[RotationOutputs.names.generation]).toBe(0);
    expect(RotationOutputs.statusDefaults[RotationOutputs.names.dueAt]).toBe(NEVER_DUE);
  });
});
