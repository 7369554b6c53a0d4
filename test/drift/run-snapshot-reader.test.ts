import type { SecretValues, StateBackend, StoredDocument } from "../../providers/state";
import { RunSnapshotReader } from "../../providers/drift";

/** A backend that counts reads and envelope openings; nothing else of it is used by the reader. */
function countingBackend(documents: Record<string, StoredDocument>, failFirstRead = false) {
  const counts = { reads: 0, opens: 0 };
  let failNext = failFirstRead;
  const backend = {
    address: { type: "local", dir: "/nowhere" },
    label: "local:/nowhere",
    list: () => Promise.resolve(Object.keys(documents)),
    read: (name: string) => {
      counts.reads++;
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error("disk hiccup"));
      }
      return Promise.resolve(documents[name]);
    },
    openSecrets: (stored: StoredDocument): Promise<SecretValues> => {
      counts.opens++;
      return Promise.resolve({ current: `secret of ${stored.name}` });
    },
    close: () => Promise.resolve(),
  } as unknown as StateBackend;
  return { backend, counts };
}

function doc(name: string): StoredDocument {
  return { name, serial: 1, lineage: "l", values: {}, document: {} } as unknown as StoredDocument;
}

describe("a drift run's snapshot of a backend", () => {
  it("reads each document once however many checks ask for it", async () => {
    const { backend, counts } = countingBackend({ "a/App/rotation": doc("a/App/rotation") });
    const reader = new RunSnapshotReader(backend);
    const [first, second, third] = await Promise.all([reader.read("a/App/rotation"), reader.read("a/App/rotation"), reader.read("a/App/rotation")]);
    expect([counts.reads, first === second && second === third]).toEqual([1, true]);
  });

  it("opens each document's envelope once", async () => {
    const { backend, counts } = countingBackend({ "a/App/rotation": doc("a/App/rotation") });
    const reader = new RunSnapshotReader(backend);
    const stored = (await reader.read("a/App/rotation")) as StoredDocument;
    const values = await Promise.all([reader.openSecrets(stored), reader.openSecrets(stored)]);
    expect([counts.opens, values[1]]).toEqual([1, { current: "secret of a/App/rotation" }]);
  });

  it("asks the backend again after a read that failed", async () => {
    const { backend, counts } = countingBackend({ "a/App": doc("a/App") }, true);
    const reader = new RunSnapshotReader(backend);
    await expect(reader.read("a/App")).rejects.toThrow("disk hiccup");
    expect([(await reader.read("a/App"))?.name, counts.reads]).toEqual(["a/App", 2]);
  });
});
