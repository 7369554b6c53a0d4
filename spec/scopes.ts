/**
 * Xero's OAuth 2.0 scopes, as pure data: the constructs validate declarations against it at synth,
 * and the hooks can use it to compare granted with declared scopes. No I/O, no dependencies.
 *
 * @see https://developer.xero.com/documentation/guides/oauth2/scopes
 */

/**
 * Every scope Xero documents, by a constant name (the scope with `.` → `_`, upper case).
 *
 * @example
 * scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ]
 */
export const XeroScopes = {
  // Identity (OpenID Connect); offline_access is what makes Xero issue a refresh token.
  OPENID: "openid",
  PROFILE: "profile",
  EMAIL: "email",
  OFFLINE_ACCESS: "offline_access",

  // Granular accounting scopes: the only ones for apps created on or after 2 March 2026
  // (Custom Connections: 29 April 2026).
  ACCOUNTING_INVOICES: "accounting.invoices",
  ACCOUNTING_INVOICES_READ: "accounting.invoices.read",
  ACCOUNTING_PAYMENTS: "accounting.payments",
  ACCOUNTING_PAYMENTS_READ: "accounting.payments.read",
  ACCOUNTING_BANKTRANSACTIONS: "accounting.banktransactions",
  ACCOUNTING_BANKTRANSACTIONS_READ: "accounting.banktransactions.read",
  ACCOUNTING_MANUALJOURNALS: "accounting.manualjournals",
  ACCOUNTING_MANUALJOURNALS_READ: "accounting.manualjournals.read",
  ACCOUNTING_REPORTS_AGED_READ: "accounting.reports.aged.read",
  ACCOUNTING_REPORTS_BALANCESHEET_READ: "accounting.reports.balancesheet.read",
  ACCOUNTING_REPORTS_PROFITANDLOSS_READ: "accounting.reports.profitandloss.read",
  ACCOUNTING_REPORTS_TRIALBALANCE_READ: "accounting.reports.trialbalance.read",
  ACCOUNTING_REPORTS_BANKSUMMARY_READ: "accounting.reports.banksummary.read",
  ACCOUNTING_REPORTS_BUDGETSUMMARY_READ: "accounting.reports.budgetsummary.read",
  ACCOUNTING_REPORTS_EXECUTIVESUMMARY_READ: "accounting.reports.executivesummary.read",
  ACCOUNTING_REPORTS_TAXREPORTS_READ: "accounting.reports.taxreports.read",

  // Broad accounting scopes: older apps only, retired by September 2027.
  ACCOUNTING_TRANSACTIONS: "accounting.transactions",
  ACCOUNTING_TRANSACTIONS_READ: "accounting.transactions.read",
  ACCOUNTING_REPORTS_READ: "accounting.reports.read",
  ACCOUNTING_JOURNALS_READ: "accounting.journals.read",

  // Current for every app.
  ACCOUNTING_SETTINGS: "accounting.settings",
  ACCOUNTING_SETTINGS_READ: "accounting.settings.read",
  ACCOUNTING_CONTACTS: "accounting.contacts",
  ACCOUNTING_CONTACTS_READ: "accounting.contacts.read",
  ACCOUNTING_ATTACHMENTS: "accounting.attachments",
  ACCOUNTING_ATTACHMENTS_READ: "accounting.attachments.read",
  ACCOUNTING_BUDGETS_READ: "accounting.budgets.read",
  ACCOUNTING_REPORTS_TENNINETYNINE_READ: "accounting.reports.tenninetynine.read",
  PAYROLL_EMPLOYEES: "payroll.employees",
  PAYROLL_EMPLOYEES_READ: "payroll.employees.read",
  PAYROLL_PAYRUNS: "payroll.payruns",
  PAYROLL_PAYRUNS_READ: "payroll.payruns.read",
  PAYROLL_PAYSLIP: "payroll.payslip",
  PAYROLL_PAYSLIP_READ: "payroll.payslip.read",
  PAYROLL_SETTINGS: "payroll.settings",
  PAYROLL_SETTINGS_READ: "payroll.settings.read",
  PAYROLL_TIMESHEETS: "payroll.timesheets",
  PAYROLL_TIMESHEETS_READ: "payroll.timesheets.read",
  FILES: "files",
  FILES_READ: "files.read",
  ASSETS: "assets",
  ASSETS_READ: "assets.read",
  PROJECTS: "projects",
  PROJECTS_READ: "projects.read",
  BANKFEEDS: "bankfeeds",
  FINANCE_BANKSTATEMENTSPLUS_READ: "finance.bankstatementsplus.read",
  FINANCE_CASHVALIDATION_READ: "finance.cashvalidation.read",
  FINANCE_STATEMENTS_READ: "finance.statements.read",
  PAYMENTSERVICES: "paymentservices",
  /** Client credentials, App Store apps only. */
  MARKETPLACE_BILLING: "marketplace.billing",
} as const;

/** A scope string Xero documents. Declarations take `string` so JavaScript users get a synth-time check. */
export type XeroScope = (typeof XeroScopes)[keyof typeof XeroScopes];

/**
 * - `identity`: OpenID Connect scopes; need a user, so never on a Custom Connection.
 * - `granular`: the accounting scopes of apps created on or after the cut-over dates.
 * - `broad`: the accounting scopes they replace; not for apps created on or after the cut-over.
 * - `current`: every other scope, usable by old and new apps alike.
 */
export type ScopeFamily = "identity" | "granular" | "broad" | "current";

/**
 * The accounting areas Xero split when it introduced granular scopes. An app asks for an area
 * either with the broad scope or with granular ones, never both.
 */
export type ScopeArea = "transactions" | "reports" | "journals";

export interface ScopeInfo {
  readonly name: XeroScope;
  readonly family: ScopeFamily;
  /** Set for broad and granular accounting scopes: the area they cover. */
  readonly area?: ScopeArea;
}

const IDENTITY: readonly XeroScope[] = ["openid", "profile", "email", "offline_access"];
const BROAD: Readonly<Record<string, ScopeArea>> = {
  "accounting.transactions": "transactions",
  "accounting.transactions.read": "transactions",
  "accounting.reports.read": "reports",
  "accounting.journals.read": "journals",
};
const GRANULAR_PREFIXES: ReadonlyArray<readonly [string, ScopeArea]> = [
  ["accounting.invoices", "transactions"],
  ["accounting.payments", "transactions"],
  ["accounting.banktransactions", "transactions"],
  ["accounting.manualjournals", "transactions"],
];
const GRANULAR_REPORTS = new Set<string>([
  "accounting.reports.aged.read",
  "accounting.reports.balancesheet.read",
  "accounting.reports.profitandloss.read",
  "accounting.reports.trialbalance.read",
  "accounting.reports.banksummary.read",
  "accounting.reports.budgetsummary.read",
  "accounting.reports.executivesummary.read",
  "accounting.reports.taxreports.read",
]);

function classify(name: XeroScope): ScopeInfo {
  if (IDENTITY.includes(name)) return { name, family: "identity" };
  const broadArea = BROAD[name];
  if (broadArea !== undefined) return { name, family: "broad", area: broadArea };
  if (GRANULAR_REPORTS.has(name)) return { name, family: "granular", area: "reports" };
  for (const [prefix, area] of GRANULAR_PREFIXES) {
    if (name === prefix || name === `${prefix}.read`) return { name, family: "granular", area };
  }
  return { name, family: "current" };
}

/** Every documented scope with its family and area, keyed by scope string. */
export const SCOPE_CATALOGUE: ReadonlyMap<string, ScopeInfo> = new Map(
  Object.values(XeroScopes).map((name) => [name, classify(name)] as const),
);

/** The catalogue entry of a scope, or undefined when Xero does not document it. */
export function scopeInfo(scope: string): ScopeInfo | undefined {
  return SCOPE_CATALOGUE.get(scope);
}

/** The scopes of one family, in catalogue order (used to suggest replacements in messages). */
export function scopesOf(family: ScopeFamily, area?: ScopeArea): XeroScope[] {
  return [...SCOPE_CATALOGUE.values()]
    .filter((info) => info.family === family && (area === undefined || info.area === area))
    .map((info) => info.name);
}

/** The date from which newly created apps of a kind get granular scopes only (UTC, inclusive). */
export const GRANULAR_SCOPES_CUTOVER = {
  web: "2026-03-02",
  pkce: "2026-03-02",
  custom_connection: "2026-04-29",
} as const;
