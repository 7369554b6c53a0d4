import { acknowledge, DriftIgnoreFileError, expiryInstant, formatAcknowledgements, parseAcknowledgements, type DriftFinding } from "../../providers/drift";

const FILE = ".cdktf-xero/drift-ignore";
const finding: DriftFinding = { code: "link.not_linked", expected: "linked", live: "not linked", fix: "re-link" };

function parseError(text: string): DriftIgnoreFileError {
  try {
    parseAcknowledgements(text, FILE);
  } catch (error) {
    if (error instanceof DriftIgnoreFileError) return error;
    throw error;
  }
  throw new Error("parsed without an error");
}

describe("parseAcknowledgements", () => {
  it("reads resource, code, expiry and a reason of several words, skipping comments and blank lines", () => {
    const parsed = parseAcknowledgements("# header\n\nbilling/SyncLink link.not_linked 2027-01-31 org migration, ticket OPS-42\n", FILE);
    expect(parsed).toEqual([
      { resource: "billing/SyncLink", code: "link.not_linked", expires: "2027-01-31", expiresAt: new Date("2027-02-01T00:00:00Z"), reason: "org migration, ticket OPS-42", line: 3 },
    ]);
  });

  it("takes an RFC 3339 time as the expiry instant itself", () => {
    const [entry] = parseAcknowledgements("a/B rotation.overdue 2027-01-31T12:00:00Z waiting", FILE);
    expect(entry?.expiresAt).toEqual(new Date("2027-01-31T12:00:00Z"));
  });

  it("names file, line, problem and fix for a line without a reason", () => {
    const error = parseError("# ok\nbilling/SyncLink link.not_linked 2027-01-31\n");
    expect(error.message).toBe(
      `${FILE}:2: has 3 fields, and an acknowledgement needs four (the reason may be several words). Each line is \`<resource> <finding code> <expires: YYYY-MM-DD or RFC 3339 time> <reason>\`, e.g. \`billing/SyncLink link.not_linked 2027-01-31 org migration, ticket OPS-42\``,
    );
    expect([error.code, error.file, error.line]).toEqual(["DRIFT_IGNORE_FILE_INVALID", FILE, 2]);
  });

  it("names an unknown finding code and lists the known ones", () => {
    const error = parseError("billing/Sync registration.gone 2027-01-31 why");
    expect(error.message).toMatch(/^\.cdktf-xero\/drift-ignore:1: "registration\.gone" is not a drift finding code\. Use one of registration\.invalid_client, /);
  });

  it("refuses an expiry that is no date, saying how to write one", () => {
    expect(parseError("billing/Sync rotation.overdue 31/01/2027 why").message).toBe(
      `${FILE}:1: the expiry "31/01/2027" is not a date. Write it as YYYY-MM-DD (the acknowledgement holds through that day, UTC) or as an RFC 3339 time such as 2027-01-31T12:00:00Z`,
    );
  });

  it("refuses a day that does not exist", () => {
    expect(parseError("billing/Sync rotation.overdue 2027-02-30 why").message).toContain('the expiry "2027-02-30" is not a date');
  });

  it("refuses a resource that is no document name", () => {
    expect(parseError("billing//Sync rotation.overdue 2027-02-01 why").message).toMatch(/^\.cdktf-xero\/drift-ignore:1: the resource is not a document name: .*Write the resource as drift reports it/);
  });

  it("refuses the same resource and code twice, naming the earlier line", () => {
    expect(parseError("a/B link.not_linked 2027-01-01 x\na/B link.not_linked 2027-02-01 y").message).toBe(
      `${FILE}:2: acknowledges a/B link.not_linked again (line 1 already does). Keep one line per resource and finding code`,
    );
  });
});

describe("expiryInstant", () => {
  it("makes a date hold through the end of that day, UTC", () => {
    expect(expiryInstant("2027-01-31")).toEqual(new Date("2027-02-01T00:00:00Z"));
  });
});

describe("acknowledge", () => {
  const [entry] = parseAcknowledgements("billing/SyncLink link.not_linked 2027-01-31 org migration", FILE);
  const acknowledgements = entry === undefined ? [] : [entry];

  it("marks a matching finding acknowledged until the end of its expiry day", () => {
    expect(acknowledge("billing/SyncLink", finding, acknowledgements, new Date("2027-01-31T23:59:59Z"))).toEqual({
      ...finding,
      status: "acknowledged",
      acknowledgement: { reason: "org migration", expires: "2027-01-31", line: 1 },
    });
  });

  it("reports a matching finding past its expiry as acknowledgement_expired", () => {
    expect(acknowledge("billing/SyncLink", finding, acknowledgements, new Date("2027-02-01T00:00:00Z")).status).toBe("acknowledgement_expired");
  });

  it("leaves a finding of another resource as drift", () => {
    expect(acknowledge("billing/OtherLink", finding, acknowledgements, new Date("2027-01-01T00:00:00Z"))).toEqual({ ...finding, status: "drift" });
  });
});

describe("formatAcknowledgements", () => {
  it("writes a file the parser reads back, expiring 30 days later", () => {
    const text = formatAcknowledgements([{ resource: "billing/SyncLink", code: "link.not_linked" }], new Date("2026-12-02T10:00:00Z"));
    const [entry] = parseAcknowledgements(text, FILE);
    expect(entry).toMatchObject({ resource: "billing/SyncLink", code: "link.not_linked", expires: "2027-01-01", reason: "acknowledged by --write-ignore on 2026-12-02; replace with why" });
  });
});
