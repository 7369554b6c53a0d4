import { customConnectionLinkDriftCheck } from "../../providers/lifecycle/link/drift";
import { appRegistrationDriftCheck } from "../../providers/lifecycle/app/drift";
import { decodeClientSecretSource, encodeClientSecretSource } from "../../contract/client-secret-source";
import { absoluteSecretReference } from "../../contract/spec-common";
import type { StoredDocument } from "../../providers/state";

const BACKEND = { type: "local", dir: "/state" } as const;

function stored(name: string, values: Record<string, unknown>): StoredDocument {
  return { name, serial: 1, lineage: "l", values, document: {} } as unknown as StoredDocument;
}

describe("secret references and redirect URIs recorded in documents, for drift from the backend alone", () => {
  it("records a file reference with its path made absolute, and reads back what it recorded", () => {
    const clientSecret = absoluteSecretReference({ source: "file", path: "secrets/sync" }, (file) => `/stack/${file}`);
    const recorded = encodeClientSecretSource({ appDocument: "billing/Sync", backend: BACKEND, clientSecret });
    expect([recorded, decodeClientSecretSource(recorded)]).toEqual([
      '{"appDocument":"billing/Sync","backend":{"type":"local","dir":"/state"},"clientSecret":{"source":"file","path":"/stack/secrets/sync"}}',
      { appDocument: "billing/Sync", backend: BACKEND, clientSecret: { source: "file", path: "/stack/secrets/sync" } },
    ]);
  });

  it("reads back no source from a blank, malformed or invalid record", () => {
    const source = (clientSecret: unknown): string => JSON.stringify({ appDocument: "billing/Sync", backend: BACKEND, clientSecret });
    const records = ["", "{", source({ source: "env", name: "" }), source({ source: "env", name: "NOT A NAME" }), source({ source: "vault" }), 7];
    expect(records.map(decodeClientSecretSource)).toEqual(Array(6).fill(undefined));
  });

  it("rebuilds a Web app's redirect URIs and secret reference from its registration document", () => {
    const spec = appRegistrationDriftCheck.specFromDocument(
      stored("billing/Portal", {
        kind: "web",
        client_id: "C",
        declared_scopes: ["openid"],
        redirect_uris: ["https://portal.example.com/cb"],
        client_secret_source: JSON.stringify({ appDocument: "billing/Portal", backend: BACKEND, clientSecret: { source: "env", name: "PORTAL_SECRET" } }),
      }),
      BACKEND,
      [],
    );
    expect(spec).toMatchObject({ redirectUris: ["https://portal.example.com/cb"], clientSecret: { source: "env", name: "PORTAL_SECRET" } });
  });

  it("falls back to the rotation's CURRENT for a document applied before references were recorded", () => {
    const spec = customConnectionLinkDriftCheck.specFromDocument(stored("billing/SyncLink", { client_id: "C", tenant_id: "T", connection_id: "X" }), BACKEND, [
      stored("billing/Sync", { kind: "custom_connection", client_id: "C" }),
    ]);
    expect(spec).toMatchObject({ app: { document: "billing/Sync", clientSecret: { source: "state", document: "billing/Sync/rotation", key: "current" } } });
  });
});
