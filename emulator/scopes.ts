/**
 * Xero's scope vocabulary (xero-platform.md "Scopes"). The emulator only knows these; anything else
 * is a bad scope, as it is on Xero.
 */
export const IDENTITY_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "email", "offline_access"]);

function withRead(names: readonly string[]): string[] {
  return names.flatMap((name) => [name, `${name}.read`]);
}

/**
 * Broad accounting scopes: only apps created before 2 March 2026 (Custom Connections: before
 * 29 April 2026) may hold them.
 */
export const BROAD_SCOPES: ReadonlySet<string> = new Set([
  ...withRead(["accounting.transactions"]),
  "accounting.reports.read",
  "accounting.journals.read",
]);

const CURRENT_SCOPES: readonly string[] = [
  ...withRead(["accounting.invoices", "accounting.payments", "accounting.banktransactions", "accounting.manualjournals"]),
  "accounting.reports.aged.read",
  "accounting.reports.balancesheet.read",
  "accounting.reports.profitandloss.read",
  "accounting.reports.trialbalance.read",
  "accounting.reports.banksummary.read",
  "accounting.reports.budgetsummary.read",
  "accounting.reports.executivesummary.read",
  "accounting.reports.taxreports.read",
  ...withRead(["accounting.settings", "accounting.contacts", "accounting.attachments"]),
  "accounting.budgets.read",
  "accounting.reports.tenninetynine.read",
  ...withRead(["payroll.employees", "payroll.payruns", "payroll.payslip", "payroll.settings", "payroll.timesheets"]),
  ...withRead(["files", "assets", "projects"]),
  "bankfeeds",
  "finance.bankstatementsplus.read",
  "finance.cashvalidation.read",
  "finance.statements.read",
  "paymentservices",
  "marketplace.billing",
];

/** Every API (non-identity) scope Xero knows, broad ones included. */
export const API_SCOPES: ReadonlySet<string> = new Set([...CURRENT_SCOPES, ...BROAD_SCOPES]);

/**
 * When the portal stopped offering broad scopes to new apps, by kind (UTC midnight; Xero names the
 * day, not the hour). An app created earlier on the emulator clock may hold them.
 */
export const BROAD_SCOPES_CLOSED_AT: Readonly<Record<"web" | "pkce" | "custom_connection", Date>> = {
  web: new Date("2026-03-02T00:00:00Z"),
  pkce: new Date("2026-03-02T00:00:00Z"),
  custom_connection: new Date("2026-04-29T00:00:00Z"),
};

export function mayHoldBroadScopes(kind: "web" | "pkce" | "custom_connection", createdAt: Date): boolean {
  return createdAt.getTime() < BROAD_SCOPES_CLOSED_AT[kind].getTime();
}

/**
 * Scopes obtained only through client credentials by App Store apps, never consented to by a user
 * nor granted to a Custom Connection.
 */
export const APP_STORE_SCOPES: ReadonlySet<string> = new Set(["marketplace.billing"]);

export function isKnownScope(scope: string): boolean {
  return IDENTITY_SCOPES.has(scope) || API_SCOPES.has(scope);
}

/** Splits a space-separated `scope` parameter, dropping empty pieces and duplicates, keeping order. */
export function parseScopeParameter(value: string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return [...new Set(value.split(" ").filter((s) => s.length > 0))];
}
