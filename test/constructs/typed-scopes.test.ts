import { HookSpecError, parseHookSpec } from "../../contract/hook-spec";
import type { AppRegistrationSpec } from "../../contract/registration";
import { editDistance, nearestScope, XERO_SCOPE_NAMES } from "../../contract/scopes";
import { XeroAppRegistration, XeroCustomScope, XeroScopes } from "../../index";
import { customConnectionProps, errorOf, testStack, warningsOf, webProps } from "./support";

function problemsOf(value: unknown): readonly string[] {
  try {
    parseHookSpec(value);
  } catch (error) {
    if (error instanceof HookSpecError) return error.problems;
    throw error;
  }
  throw new Error("expected a HookSpecError");
}

describe("XeroScopes", () => {
  it("has one constant per scope in the list, named by the scope with . → _ in upper case", () => {
    const constants = Object.entries(XeroScopes).filter(([key]) => key !== "custom");
    expect(constants).toEqual(XERO_SCOPE_NAMES.map((name) => [name.replace(/\./g, "_").toUpperCase(), name]));
  });

  it("keeps every constant it had before the list became the source", () => {
    // The 54 constants of the hand-written object this list replaced.
    const before = [
    "OPENID", "PROFILE", "EMAIL", "OFFLINE_ACCESS", "ACCOUNTING_INVOICES", "ACCOUNTING_INVOICES_READ", "ACCOUNTING_PAYMENTS",
    "ACCOUNTING_PAYMENTS_READ", "ACCOUNTING_BANKTRANSACTIONS", "ACCOUNTING_BANKTRANSACTIONS_READ", "ACCOUNTING_MANUALJOURNALS",
    "ACCOUNTING_MANUALJOURNALS_READ", "ACCOUNTING_REPORTS_AGED_READ", "ACCOUNTING_REPORTS_BALANCESHEET_READ",
    "ACCOUNTING_REPORTS_PROFITANDLOSS_READ", "ACCOUNTING_REPORTS_TRIALBALANCE_READ", "ACCOUNTING_REPORTS_BANKSUMMARY_READ",
    "ACCOUNTING_REPORTS_BUDGETSUMMARY_READ", "ACCOUNTING_REPORTS_EXECUTIVESUMMARY_READ", "ACCOUNTING_REPORTS_TAXREPORTS_READ",
    "ACCOUNTING_TRANSACTIONS", "ACCOUNTING_TRANSACTIONS_READ", "ACCOUNTING_REPORTS_READ", "ACCOUNTING_JOURNALS_READ",
    "ACCOUNTING_SETTINGS", "ACCOUNTING_SETTINGS_READ", "ACCOUNTING_CONTACTS", "ACCOUNTING_CONTACTS_READ",
    "ACCOUNTING_ATTACHMENTS", "ACCOUNTING_ATTACHMENTS_READ", "ACCOUNTING_BUDGETS_READ", "ACCOUNTING_REPORTS_TENNINETYNINE_READ",
    "PAYROLL_EMPLOYEES", "PAYROLL_EMPLOYEES_READ", "PAYROLL_PAYRUNS", "PAYROLL_PAYRUNS_READ", "PAYROLL_PAYSLIP",
    "PAYROLL_PAYSLIP_READ", "PAYROLL_SETTINGS", "PAYROLL_SETTINGS_READ", "PAYROLL_TIMESHEETS", "PAYROLL_TIMESHEETS_READ",
    "FILES", "FILES_READ", "ASSETS", "ASSETS_READ", "PROJECTS", "PROJECTS_READ", "BANKFEEDS", "FINANCE_BANKSTATEMENTSPLUS_READ",
    "FINANCE_CASHVALIDATION_READ", "FINANCE_STATEMENTS_READ", "PAYMENTSERVICES", "MARKETPLACE_BILLING",
    ];
    expect(Object.keys(XeroScopes).filter((key) => key !== "custom")).toEqual(before);
    expect(XeroScopes.OFFLINE_ACCESS).toBe("offline_access");
    expect(XeroScopes.ACCOUNTING_INVOICES_READ).toBe("accounting.invoices.read");
    expect(XeroScopes.ACCOUNTING_REPORTS_TENNINETYNINE_READ).toBe("accounting.reports.tenninetynine.read");
    expect(XeroScopes.FINANCE_BANKSTATEMENTSPLUS_READ).toBe("finance.bankstatementsplus.read");
    expect(XeroScopes.MARKETPLACE_BILLING).toBe("marketplace.billing");
  });

  it("makes a custom scope that names itself in messages", () => {
    const scope = XeroScopes.custom("accounting.creditnotes.read");
    expect(XeroCustomScope.isXeroCustomScope(scope)).toBe(true);
    expect(scope.name).toBe("accounting.creditnotes.read");
    expect(String(scope)).toBe('XeroScopes.custom("accounting.creditnotes.read")');
  });
});

describe("the nearest known scope", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("accounting.invoice.read", "accounting.invoices.read")).toBe(1);
    expect(editDistance("files", "assets")).toBe(4);
    expect(editDistance("", "email")).toBe(5);
  });

  it("is suggested up to 3 edits away", () => {
    expect(nearestScope("acounting.invoice.rea")).toBe("accounting.invoices.read");
  });

  it("is not suggested 4 edits away", () => {
    expect(nearestScope("acounting.invoice.re")).toBeUndefined();
  });

  it("ignores case and surrounding spaces", () => {
    expect(nearestScope(" Accounting.Contacts.Read ")).toBe("accounting.contacts.read");
  });
});

describe("declared scopes at synth", () => {
  it("suggests the nearest valid scope for a misspelt one", () => {
    const stack = testStack();
    expect(errorOf(() => new XeroAppRegistration(stack, "App", customConnectionProps({ scopes: ["accounting.invoice.read"] })))).toBe(
      'prod/App: scopes[0] "accounting.invoice.read" is not a Xero scope (did you mean "accounting.invoices.read"?); use the XeroScopes constants',
    );
  });

  it("accepts a custom scope and marks it unknown in the spec", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(
      stack,
      "Sync",
      customConnectionProps({ scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.custom("accounting.creditnotes.read")] }),
    );
    expect(sync.spec.scopes).toEqual(["accounting.invoices.read", "accounting.creditnotes.read"]);
    expect(sync.spec.unknownScopes).toEqual(["accounting.creditnotes.read"]);
  });

  it("writes no unknownScopes when every scope is known", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    expect("unknownScopes" in sync.spec).toBe(false);
  });

  it("synthesizes a spec with a custom scope that the hook's validator takes", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ scopes: [XeroScopes.custom("accounting.creditnotes.read")] }));
    expect(parseHookSpec(JSON.parse(JSON.stringify(sync.spec)))).toEqual(sync.spec);
  });

  it("treats a custom scope the catalogue knows as that scope, with its checks", () => {
    const stack = testStack();
    expect(
      errorOf(
        () =>
          new XeroAppRegistration(stack, "App", customConnectionProps({ createdAfterGranularScopes: true, scopes: [XeroScopes.custom("accounting.journals.read")] })),
      ),
    ).toBe(
      'prod/App: scopes[0] "accounting.journals.read" is a broad scope, which Custom Connections created on or after 29 April 2026 cannot use; Xero offers no granular replacement; remove it',
    );
  });

  it("marks no custom scope the catalogue knows as unknown", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps({ scopes: [XeroScopes.custom("files.read")] }));
    expect(sync.spec.scopes).toEqual(["files.read"]);
    expect("unknownScopes" in sync.spec).toBe(false);
  });

  it("rejects a custom scope with a space, showing it", () => {
    const stack = testStack();
    expect(errorOf(() => new XeroAppRegistration(stack, "App", customConnectionProps({ scopes: [XeroScopes.custom("accounting.credit notes")] })))).toBe(
      'prod/App: scopes[0] must be one scope without spaces, got XeroScopes.custom("accounting.credit notes"); write the scope exactly as Xero documents it',
    );
  });

  it("rejects a custom scope with a quote, showing it", () => {
    const stack = testStack();
    expect(errorOf(() => new XeroAppRegistration(stack, "App", customConnectionProps({ scopes: [XeroScopes.custom('files"')] })))).toBe(
      'prod/App: scopes[0] must be one OAuth scope token (printable ASCII other than space, " and \\), got XeroScopes.custom("files\\""); write the scope exactly as Xero documents it',
    );
  });

  it("rejects a custom scope that repeats a known one", () => {
    const stack = testStack();
    expect(errorOf(() => new XeroAppRegistration(stack, "App", customConnectionProps({ scopes: [XeroScopes.FILES, XeroScopes.custom("files")] })))).toBe(
      'prod/App: scopes[1] repeats scopes[0] "files"; list each scope once',
    );
  });

  it("warns when a Web app's only API scope is custom and it lacks offline_access", () => {
    const stack = testStack();
    const portal = new XeroAppRegistration(stack, "Portal", webProps({ scopes: [XeroScopes.OPENID, XeroScopes.custom("accounting.creditnotes.read")] }));
    expect(warningsOf(portal)).toEqual([
      'scopes has no "offline_access", so Xero issues no refresh token and API access ends when the 30-minute access token expires; add XeroScopes.OFFLINE_ACCESS unless that is intended',
    ]);
  });
});

describe("declared scopes at hook time (the spec's validator)", () => {
  const registration: AppRegistrationSpec = {
    version: 1,
    kind: "app_registration",
    document: "prod/Sync",
    backend: { type: "local", dir: "../../.cdktf-xero/state" },
    appKind: "custom_connection",
    appName: "Nightly sync",
    clientId: "6E4D953BAAE949D1A1B399307AD58B94",
    clientSecret: { source: "env", name: "SYNC_CLIENT_SECRET" },
    redirectUris: [],
    scopes: ["accounting.invoices.read", "accounting.creditnotes.read"],
    unknownScopes: ["accounting.creditnotes.read"],
    createdAfterGranularScopes: true,
  };

  it("takes a scope it does not know when the spec marks it unknown", () => {
    expect(parseHookSpec(registration)).toEqual(registration);
  });

  it("rejects a scope it does not know that the spec does not mark, as synth does", () => {
    const { unknownScopes: _omitted, ...unmarked } = registration;
    expect(problemsOf(unmarked)).toEqual([
      'spec.scopes[1] "accounting.creditnotes.read" is not a Xero scope; use the XeroScopes constants, or XeroScopes.custom("accounting.creditnotes.read") for a scope Xero added after this release of cdktf-xero',
    ]);
  });

  it("rejects an unknown scope that is not declared", () => {
    expect(problemsOf({ ...registration, unknownScopes: ["accounting.creditnotes.read", "accounting.quotes"] })).toEqual([
      'spec.unknownScopes[1] "accounting.quotes" is not one of spec.scopes',
    ]);
  });

  it("rejects a known scope marked unknown", () => {
    expect(problemsOf({ ...registration, unknownScopes: ["accounting.creditnotes.read", "accounting.invoices.read"] })).toEqual([
      'spec.unknownScopes[1] "accounting.invoices.read" is a scope cdktf-xero knows; list it in spec.scopes only',
    ]);
  });

  it("rejects a scope that is not one OAuth scope token, as synth does for a custom one", () => {
    expect(problemsOf({ ...registration, scopes: ["accounting.invoices.read", 'files"'], unknownScopes: ['files"'] })).toEqual([
      'spec.scopes[1] must be one OAuth scope token (printable ASCII other than space, " and \\), got "files\\""',
      'spec.unknownScopes[0] must be one OAuth scope token (printable ASCII other than space, " and \\), got "files\\""',
    ]);
  });
});
