import { runDrift } from "../../providers/drift";
import type { StateBackend, StoredDocument } from "../../providers/state";
import type { XeroClient } from "../../providers/xero/client";

/**
 * A call slot must not sit idle while a check reads its documents: at --concurrency 1, the next
 * resource's documents are read while the first resource's call is still in flight.
 */
const BACKEND = { type: "local", dir: "/state" } as const;

function registration(name: string, clientId: string): StoredDocument {
  const values = { kind: "custom_connection", client_id: clientId, declared_scopes: ["accounting.invoices.read"], client_secret_source: JSON.stringify({ appDocument: name, backend: BACKEND, clientSecret: { source: "env", name: "S" } }) };
  return { name, serial: 1, lineage: "l", values, document: {} } as unknown as StoredDocument;
}

describe("drift's runner", () => {
  it("reads the next resource's documents while a call is in flight at --concurrency 1", async () => {
    const documents = new Map([["a/First", registration("a/First", "C1")], ["a/Second", registration("a/Second", "C2")]]);
    const reads: string[] = [];
    const backend = {
      address: BACKEND,
      label: "local:/state",
      list: async () => [...documents.keys()],
      listInBatches: async function* () {
        yield [...documents.keys()];
      },
      read: async (name: string) => {
        reads.push(name);
        return documents.get(name);
      },
      openSecrets: async () => ({}),
      close: async () => undefined,
    } as unknown as StateBackend;
    let releaseFirst: () => void = () => undefined;
    let firstStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const readsWhileFirstCallInFlight = new Promise<string[]>((resolve) => {
      const check = (): void => (reads.includes("a/Second/rotation") ? resolve([...reads]) : void setImmediate(check));
      void started.then(check);
    });
    const token = { accessToken: "x.eyJzY29wZSI6WyJhY2NvdW50aW5nLmludm9pY2VzLnJlYWQiXX0.x", expiresIn: 1800, scopes: ["accounting.invoices.read"] };
    const client = (options: { clientId: string }) =>
      ({
        clientId: options.clientId,
        clientCredentials: () =>
          options.clientId === "C1"
            ? new Promise((resolve) => {
                releaseFirst = () => resolve(token);
                firstStarted();
              })
            : Promise.resolve(token),
        decodeAccessToken: () => ({ scopes: ["accounting.invoices.read"] }),
      }) as unknown as XeroClient;
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => backend, createXeroClient: client },
    );
    const seen = await readsWhileFirstCallInFlight;
    releaseFirst();
    const report = await run;
    // In any order: the listing's reads share turns of the event loop with the checks, so the first check may read its rotation first.
    expect([[...seen].sort(), report.summary.inSync]).toEqual([["a/First", "a/First/rotation", "a/Second", "a/Second/rotation"], 2]);
  });
});
