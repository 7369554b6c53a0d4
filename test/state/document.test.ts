import {
  buildOutputs,
  nextDocument,
  outputTypeOf,
  parseDocument,
  serializeDocument,
  type OutputValues,
} from "../../providers/state";

describe("Terraform output types", () => {
  it.each([
    ["a string", "t-1", "string"],
    ["a number", 3, "number"],
    ["a bool", false, "bool"],
    ["a list of strings", ["a", "b"], ["list", "string"]],
    ["an empty list", [], ["list", "string"]],
    ["a map of strings", { env: "prod" }, ["map", "string"]],
    ["an empty map", {}, ["map", "string"]],
  ] as const)("describes %s as Terraform writes it", (_, value, type) => {
    expect(outputTypeOf(value)).toEqual(type);
  });

  it("marks the secrets output sensitive and no other", () => {
    const outputs = buildOutputs({ tenant_id: "t", secrets: "{}" } as unknown as OutputValues);
    expect(outputs).toEqual({ secrets: { value: "{}", type: "string", sensitive: true }, tenant_id: { value: "t", type: "string" } });
  });

  it("refuses a value Terraform could not type, naming the output", () => {
    expect(() => buildOutputs({ nested: [["a"]] } as unknown as OutputValues)).toThrow(
      'output "nested" must be a string, finite number, bool, list of strings or map of strings, got [["a"]]',
    );
    expect(() => buildOutputs({ n: Number.NaN })).toThrow('output "n" must be a string, finite number');
  });
});

describe("serial and lineage", () => {
  it("starts at serial 1 with a new lineage and counts up keeping it", () => {
    const first = nextDocument(undefined, { a: "1" }, () => "lineage-1");
    const second = nextDocument(first, { a: "2" }, () => "unused");
    expect([first.serial, first.lineage, second.serial, second.lineage]).toEqual([1, "lineage-1", 2, "lineage-1"]);
  });

  it("serializes as Terraform does and parses back to the same document", () => {
    const document = nextDocument(undefined, { scopes: ["a"], n: 1 }, () => "l");
    const text = serializeDocument(document);
    expect(text.endsWith("}\n")).toBe(true);
    expect(parseDocument("s/App", "file", text).document).toEqual(document);
  });
});

describe("validating stored documents", () => {
  const valid = { version: 4, terraform_version: "1.11.4", serial: 2, lineage: "l", outputs: {}, resources: [] };
  const reasonFor = (raw: unknown): unknown => {
    try {
      parseDocument("s/App", "/x/s/App.tfstate", JSON.stringify(raw));
      return undefined;
    } catch (error) {
      return (error as { context: { reason: string } }).context.reason;
    }
  };

  it.each([
    ["a JSON array", [], "is not a JSON object"],
    ["a negative serial", { ...valid, serial: -1 }, "has serial -1, expected a non-negative integer"],
    ["a string serial", { ...valid, serial: "2" }, 'has serial "2", expected a non-negative integer'],
    ["no lineage", { ...valid, lineage: undefined }, "has lineage undefined, expected a string"],
    ["an output without type agreement", { ...valid, outputs: { a: { value: "x", type: "number" } } }, 'has output "a" that has type "number" but a value of type "string"'],
    ["an output of an unsupported shape", { ...valid, outputs: { a: { value: [1], type: ["list", "number"] } } }, 'has output "a" that has a value that is not a string, number, bool, list of strings or map of strings'],
  ])("rejects %s with the reason", (_, raw, reason) => {
    expect(reasonFor(raw)).toBe(reason);
  });

  it("accepts an empty list declared as a list and an empty map declared as a map", () => {
    const raw = { ...valid, outputs: { l: { value: [], type: ["list", "string"] }, m: { value: {}, type: ["map", "string"] } } };
    expect(parseDocument("s/App", "f", JSON.stringify(raw)).values).toEqual({ l: [], m: {} });
  });
});
