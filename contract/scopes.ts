/**
 * Xero's OAuth 2.0 scopes, as pure data: the constructs validate declarations against it at synth,
 * and the hook spec's validator checks a registration's scopes against it. No I/O, no dependencies.
 *
 * @see https://developer.xero.com/documentation/guides/oauth2/scopes
 */

/** The granular report scopes that replace `accounting.reports.read` (one list: the catalogue and the classification read it). */
const GRANULAR_REPORT_SCOPES = [
  "accounting.reports.aged.read",
  "accounting.reports.balancesheet.read",
  "accounting.reports.profitandloss.read",
  "accounting.reports.trialbalance.read",
  "accounting.reports.banksummary.read",
  "accounting.reports.budgetsummary.read",
  "accounting.reports.executivesummary.read",
  "accounting.reports.taxreports.read",
] as const;

/**
 * Every scope Xero documents: the one list the scope names, the {@link XeroScopes} constants and the
 * catalogue are made from.
 */
export const XERO_SCOPE_NAMES = [
  // Identity (OpenID Connect); offline_access is what makes Xero issue a refresh token.
  "openid",
  "profile",
  "email",
  "offline_access",

  // Granular accounting scopes: the only ones for apps created on or after 2 March 2026
  // (Custom Connections: 29 April 2026).
  "accounting.invoices",
  "accounting.invoices.read",
  "accounting.payments",
  "accounting.payments.read",
  "accounting.banktransactions",
  "accounting.banktransactions.read",
  "accounting.manualjournals",
  "accounting.manualjournals.read",
  ...GRANULAR_REPORT_SCOPES,

  // Broad accounting scopes: older apps only, retired by September 2027.
  "accounting.transactions",
  "accounting.transactions.read",
  "accounting.reports.read",
  "accounting.journals.read",

  // Current for every app.
  "accounting.settings",
  "accounting.settings.read",
  "accounting.contacts",
  "accounting.contacts.read",
  "accounting.attachments",
  "accounting.attachments.read",
  "accounting.budgets.read",
  "accounting.reports.tenninetynine.read",
  "payroll.employees",
  "payroll.employees.read",
  "payroll.payruns",
  "payroll.payruns.read",
  "payroll.payslip",
  "payroll.payslip.read",
  "payroll.settings",
  "payroll.settings.read",
  "payroll.timesheets",
  "payroll.timesheets.read",
  "files",
  "files.read",
  "assets",
  "assets.read",
  "projects",
  "projects.read",
  "bankfeeds",
  "finance.bankstatementsplus.read",
  "finance.cashvalidation.read",
  "finance.statements.read",
  "paymentservices",
  // Client credentials, App Store apps only.
  "marketplace.billing",
] as const;

/** A scope Xero documents and cdktf-xero knows, e.g. `"accounting.invoices.read"`. */
export type XeroScopeName = (typeof XERO_SCOPE_NAMES)[number];

const IS_CUSTOM_SCOPE = Symbol.for("cdktf-xero.XeroCustomScope");

/**
 * A scope cdktf-xero's catalogue does not know, made by {@link XeroScopes.custom}: for a scope Xero
 * adds after this release. Synth checks only its shape; the hook spec marks it as unknown
 * (`unknownScopes`) and Xero's own answer at deploy decides.
 */
export class XeroCustomScope {
  /** True for custom scopes made by this package (also across copies of it). */
  static isXeroCustomScope(value: unknown): value is XeroCustomScope {
    return value !== null && typeof value === "object" && IS_CUSTOM_SCOPE in value;
  }

  /** Prefer {@link XeroScopes.custom}, the documented spelling. */
  constructor(
    /** The scope exactly as Xero documents it. */
    readonly name: string,
  ) {
    Object.defineProperty(this, IS_CUSTOM_SCOPE, { value: true });
  }

  /** For messages: `XeroScopes.custom("…")`. */
  toString(): string {
    return `XeroScopes.custom(${JSON.stringify(this.name)})`;
  }
}

/** What a declaration's `scopes` take: a known scope (a {@link XeroScopes} constant or its string), or a custom one. */
export type XeroScope = XeroScopeName | XeroCustomScope;

type ReplaceDots<S extends string> = S extends `${infer Head}.${infer Tail}` ? `${Head}_${ReplaceDots<Tail>}` : S;
/** `"accounting.invoices.read"` → `"ACCOUNTING_INVOICES_READ"`. */
type ConstantName<S extends string> = Uppercase<ReplaceDots<S>>;

/** The constants of {@link XeroScopes}: one per {@link XERO_SCOPE_NAMES} entry. */
export type XeroScopeConstants = { readonly [Name in XeroScopeName as ConstantName<Name>]: Name };

function constantName<S extends string>(scope: S): ConstantName<S> {
  return scope.replace(/\./g, "_").toUpperCase() as ConstantName<S>;
}

/**
 * Every scope Xero documents, by a constant name (the scope with `.` → `_`, upper case), and
 * {@link XeroScopes.custom} for one Xero added after this release.
 *
 * @example
 * scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ]
 */
export const XeroScopes: XeroScopeConstants & {
  /**
   * A scope cdktf-xero does not know yet, exactly as Xero documents it. Synth checks only that it
   * is one OAuth scope token (no spaces, quotes or backslashes); the deploy asks Xero. A name the
   * catalogue knows is treated as that known scope, with all its checks.
   *
   * @example
   * scopes: [XeroScopes.OFFLINE_ACCESS, XeroScopes.custom("accounting.creditnotes.read")]
   */
  custom(name: string): XeroCustomScope;
} = Object.freeze({
  ...(Object.fromEntries(XERO_SCOPE_NAMES.map((name) => [constantName(name), name])) as XeroScopeConstants),
  custom: (name: string): XeroCustomScope => new XeroCustomScope(name),
});

/**
 * Why a string is not one OAuth scope token (RFC 6749 §3.3: printable ASCII other than space, `"`
 * and `\`), or undefined when it is one. The synth check of a custom scope and the hook spec's check
 * of every scope both use it, so what synth lets through the hook takes.
 */
export function scopeTokenProblem(scope: string): string | undefined {
  if (scope === "") return "must not be empty";
  if (/\s/.test(scope)) return "must be one scope without spaces";
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) return 'must be one OAuth scope token (printable ASCII other than space, " and \\)';
  return undefined;
}

/** The number of single-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** How far a misspelling may be from a scope for {@link nearestScope} to suggest it. */
export const MAX_SUGGESTION_DISTANCE = 3;

/**
 * The known scope a misspelt one most likely meant: case and surrounding spaces ignored, then the
 * nearest by {@link editDistance} if at most {@link MAX_SUGGESTION_DISTANCE} edits away (the first
 * in catalogue order on a tie). Undefined when none is that close.
 */
export function nearestScope(scope: string): XeroScopeName | undefined {
  const normalised = scope.trim().toLowerCase();
  let best: { name: XeroScopeName; distance: number } | undefined;
  for (const name of XERO_SCOPE_NAMES) {
    const distance = editDistance(normalised, name);
    if (distance <= MAX_SUGGESTION_DISTANCE && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

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
  readonly name: XeroScopeName;
  readonly family: ScopeFamily;
  /** Set for broad and granular accounting scopes: the area they cover. */
  readonly area?: ScopeArea;
}

const IDENTITY: readonly XeroScopeName[] = ["openid", "profile", "email", "offline_access"];
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
const GRANULAR_REPORTS: ReadonlySet<string> = new Set(GRANULAR_REPORT_SCOPES);

function classify(name: XeroScopeName): ScopeInfo {
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
  XERO_SCOPE_NAMES.map((name) => [name, classify(name)] as const),
);

/** The catalogue entry of a scope, or undefined when Xero does not document it. */
export function scopeInfo(scope: string): ScopeInfo | undefined {
  return SCOPE_CATALOGUE.get(scope);
}

/** The scopes of one family, in catalogue order (used to suggest replacements in messages). */
export function scopesOf(family: ScopeFamily, area?: ScopeArea): XeroScopeName[] {
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
