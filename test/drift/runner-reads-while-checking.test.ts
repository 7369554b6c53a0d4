import { runDrift, type DriftProgress } from "../../providers/drift";
import { customConnectionLinkDriftCheck } from "../../providers/lifecycle/link/drift";
import { StateBackendNotFoundError, type StateBackend, type StoredDocument } from "../../providers/state";
import type { XeroClient } from "../../providers/xero/client";

/**
 * With only --backend, drift reads every document of the backend; the first checks (and their
 * Xero calls) must not wait for the last document to be read. The backend and Xero are the unit's
 * edges here: a backend whose reads the test releases, and clients that answer at once.
 */
const BACKEND = { type: "local", dir: "/state" } as const;
const SCOPES = ["accounting.invoices.read"];
const SECRET_SOURCE = (app: string): string => JSON.stringify({ appDocument: app, backend: BACKEND, clientSecret: { source: "env", name: "S" } });

function stored(name: string, values: Record<string, unknown>): StoredDocument {
  return { name, serial: 1, lineage: "l", values, document: {} } as unknown as StoredDocument;
}

function registration(name: string, clientId: string): StoredDocument {
  return stored(name, { kind: "custom_connection", client_id: clientId, declared_scopes: SCOPES, client_secret_source: SECRET_SOURCE(name) });
}

/**
 * A backend whose reads of `held` documents wait until the test releases them, and whose listing
 * finds the documents in `batches` (default: all at once), each batch after `listBatch(i)` resolves.
 */
function backendOf(
  documents: readonly StoredDocument[],
  held: ReadonlySet<string> = new Set(),
  listing: { readonly batches?: readonly (readonly string[])[]; readonly listBatch?: (index: number) => Promise<void> } = {},
) {
  const byName = new Map(documents.map((document) => [document.name, document]));
  const releases: Array<() => void> = [];
  let released = false;
  const reads: string[] = [];
  // Listed out of order: the report is in document order whatever the listing's.
  const batches = listing.batches ?? [[...byName.keys()].reverse()];
  const backend = {
    address: BACKEND,
    label: "local:/state",
    list: async () => {
      const names: string[] = [];
      for (const [index, batch] of batches.entries()) {
        await listing.listBatch?.(index);
        names.push(...batch);
      }
      return names;
    },
    listInBatches: async function* () {
      for (const [index, batch] of batches.entries()) {
        await listing.listBatch?.(index);
        yield batch;
      }
    },
    read: async (name: string) => {
      reads.push(name);
      if (held.has(name) && !released) await new Promise<void>((resolve) => releases.push(resolve));
      return byName.get(name);
    },
    openSecrets: async () => ({}),
    close: async () => undefined,
  } as unknown as StateBackend;
  return {
    backend,
    reads,
    release: () => {
      released = true;
      releases.splice(0).forEach((release) => release());
    },
  };
}

/** Clients whose token requests are answered at once, or once `answered` settles. */
function clients(onToken: (clientId: string) => void, answered: () => Promise<void> = () => Promise.resolve()) {
  const token = { accessToken: "x.eyJzY29wZSI6WyJhY2NvdW50aW5nLmludm9pY2VzLnJlYWQiXX0.x", expiresIn: 1800, scopes: SCOPES };
  return (options: { clientId: string }) =>
    ({
      clientId: options.clientId,
      clientCredentials: async () => {
        onToken(options.clientId);
        await answered();
        return token;
      },
      decodeAccessToken: () => ({ scopes: SCOPES }),
    }) as unknown as XeroClient;
}

function recordingProgress(): DriftProgress & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, started: (total) => lines.push(`started ${total}`), checked: (resource, done, total) => lines.push(`${resource} ${done}/${total}`) };
}

describe("drift's runner over a whole backend", () => {
  it("checks the first resources while a later document is still being read", async () => {
    const { backend, release } = backendOf([registration("a/First", "C1"), registration("z/Last", "C2")], new Set(["z/Last"]));
    let firstChecked: () => void = () => undefined;
    const firstTokenAsked = new Promise<void>((resolve) => (firstChecked = resolve));
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => backend, createXeroClient: clients((clientId) => clientId === "C1" && firstChecked()) },
    );
    await firstTokenAsked;
    release();
    const report = await run;
    expect([report.resources.map((resource) => resource.resource), report.summary.inSync]).toEqual([["a/First", "z/Last"], 2]);
  });

  it("reports the count first and every resource numbered in the order it finished, when checks finish before the last read", async () => {
    const { backend, release } = backendOf([registration("a/First", "C1"), registration("b/Second", "C2"), registration("z/Last", "C3")], new Set(["z/Last"]));
    const progress = recordingProgress();
    const asked: string[] = [];
    let bothAsked: () => void = () => undefined;
    const firstTwoAsked = new Promise<void>((resolve) => (bothAsked = resolve));
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 4 },
      {
        env: { S: "secret" },
        cwd: "/project",
        openBackend: async () => backend,
        createXeroClient: clients((clientId) => asked.push(clientId) === 2 && bothAsked()),
        progress,
      },
    );
    await firstTwoAsked;
    // The two checks finish on the answers (already there); the last document is still being read.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const beforeLastRead = [...progress.lines];
    release();
    const report = await run;
    expect([asked.slice(0, 2), beforeLastRead, progress.lines, report.summary.inSync]).toEqual([
      ["C1", "C2"],
      [],
      ["started 3", "a/First 1/3", "b/Second 2/3", "z/Last 3/3"],
      3,
    ]);
  });

  it("holds a link recorded without its app's document until every document is read, to find its app by client id", async () => {
    const link = stored("a/Link", { client_id: "C1", tenant_id: "T1", connection_id: "X" });
    const app = stored("z/App", { kind: "custom_connection", client_id: "C1", declared_scopes: SCOPES });
    expect([customConnectionLinkDriftCheck.specNeedsOtherDocuments(link), customConnectionLinkDriftCheck.specNeedsOtherDocuments(stored("a/Link", { ...link.values, client_secret_source: SECRET_SOURCE("z/App") }))]).toEqual([true, false]);
    const { backend, release } = backendOf([link, app], new Set(["z/App"]));
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: {}, cwd: "/project", openBackend: async () => backend, createXeroClient: clients(() => undefined) },
    );
    release();
    const report = await run;
    // The link's app was found ("z/App", whose rotation holds no CURRENT here), not the link itself taken for its app.
    const linkReport = report.resources.find((resource) => resource.resource === "a/Link");
    expect(linkReport?.notes.join(" ")).toContain('"z/App/rotation"');
  });

  it("checks the first resources while later documents are still being listed", async () => {
    let listRest: () => void = () => undefined;
    const restListed = new Promise<void>((resolve) => (listRest = resolve));
    const { backend } = backendOf([registration("a/First", "C1"), registration("z/Last", "C2")], new Set(), {
      batches: [["a/First"], ["z/Last"]],
      listBatch: (index) => (index === 0 ? Promise.resolve() : restListed),
    });
    const asked: string[] = [];
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => backend, createXeroClient: clients((clientId) => asked.push(clientId)) },
    );
    // Turns of the event loop, not time: the first check needs a few (a read takes one); a run that
    // waited for the whole listing would ask nothing however many it got.
    for (let turn = 0; turn < 100 && asked.length === 0; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    const askedBeforeListingEnded = [...asked];
    listRest();
    const report = await run;
    expect([askedBeforeListingEnded, report.resources.map((resource) => resource.resource), report.summary.inSync]).toEqual([["C1"], ["a/First", "z/Last"], 2]);
  });

  it("ends the run with the listing's failure once the checks under way have finished", async () => {
    const broken = new StateBackendNotFoundError("local:/state", "its directory is gone", "Deploy first");
    let failListing: () => void = () => undefined;
    const listingFails = new Promise<void>((_resolve, reject) => (failListing = () => reject(broken)));
    listingFails.catch(() => undefined);
    const { backend } = backendOf([registration("a/First", "C1"), registration("z/Last", "C2")], new Set(), {
      batches: [["a/First"], ["z/Last"]],
      listBatch: (index) => (index === 0 ? Promise.resolve() : listingFails),
    });
    let answerFirst: () => void = () => undefined;
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    const asked: string[] = [];
    let settled = false;
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => backend, createXeroClient: clients((clientId) => asked.push(clientId), () => firstAnswered) },
    );
    run.then(() => (settled = true), () => (settled = true));
    for (let turn = 0; turn < 100 && asked.length === 0; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    failListing();
    for (let turn = 0; turn < 20; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    const settledWhileFirstCheckRan = settled;
    answerFirst();
    await expect(run).rejects.toBe(broken);
    expect([asked, settledWhileFirstCheckRan]).toEqual([["C1"], false]);
  });

  it("starts no check once a read has failed, not even of a document the listing finds after it", async () => {
    let listRest: () => void = () => undefined;
    const restListed = new Promise<void>((resolve) => (listRest = resolve));
    const { backend } = backendOf([registration("a/First", "C1"), registration("b/Broken", "C2"), registration("z/Last", "C3")], new Set(), {
      batches: [["a/First", "b/Broken"], ["z/Last"]],
      listBatch: (index) => (index === 0 ? Promise.resolve() : restListed),
    });
    const gone = new StateBackendNotFoundError("local:/state", "its directory is gone", "Deploy first");
    const failing = {
      ...backend,
      read: async (name: string) => {
        if (name === "b/Broken") throw gone;
        return backend.read(name);
      },
    } as unknown as StateBackend;
    const asked: string[] = [];
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 4 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => failing, createXeroClient: clients((clientId) => asked.push(clientId)) },
    );
    run.catch(() => undefined);
    for (let turn = 0; turn < 100 && asked.length === 0; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    listRest();
    await expect(run).rejects.toBe(gone);
    expect(asked).not.toContain("C3");
  });

  it("ends the run with a read's failure, as when it read every document before checking", async () => {
    const { backend } = backendOf([registration("a/First", "C1"), registration("b/Broken", "C2"), registration("c/Third", "C3")]);
    const gone = new StateBackendNotFoundError("local:/state", "its directory is gone", "Deploy first");
    let closed = false;
    const failing = {
      ...backend,
      read: async (name: string) => {
        if (name === "b/Broken") throw gone;
        return backend.read(name);
      },
      close: async () => {
        closed = true;
      },
    } as unknown as StateBackend;
    const run = runDrift(
      { scope: { from: "backend", backend: BACKEND }, concurrency: 1 },
      { env: { S: "secret" }, cwd: "/project", openBackend: async () => failing, createXeroClient: clients(() => undefined) },
    );
    await expect(run).rejects.toBe(gone);
    expect(closed).toBe(true);
  });
});
