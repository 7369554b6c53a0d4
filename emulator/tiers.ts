/**
 * Connections per app (xero-platform.md "Limits"): since 2 March 2026 Xero prices apps in tiers,
 * each with a ceiling on connected organisations; before that, uncertified apps could connect 25.
 * A connection here is a distinct organisation connected to the app, whichever user connected it
 * (Xero: "an uncertified app can only be connected to 25 tenants/organisations"). Custom Connections
 * link exactly one organisation and are licensed per organisation, so tiers do not apply to them.
 */
export const APP_TIERS = ["starter", "core", "plus", "advanced", "enterprise", "uncertified"] as const;
export type AppTier = (typeof APP_TIERS)[number];

/** Organisations an app of each tier may have connected at once; `undefined` means no ceiling. */
export const TIER_CONNECTION_LIMITS: Readonly<Record<AppTier, number | undefined>> = {
  starter: 5,
  core: 50,
  plus: 1000,
  advanced: 10000,
  enterprise: undefined,
  // The rule before 2 March 2026, for emulating an older uncertified app.
  uncertified: 25,
};

/** New apps start on the free Starter tier; it is also the strictest, so passing here passes on Xero. */
export const DEFAULT_APP_TIER: AppTier = "starter";

export function isAppTier(value: unknown): value is AppTier {
  return typeof value === "string" && (APP_TIERS as readonly string[]).includes(value);
}

/**
 * Whether connecting `requestedTenantIds` would take an app past its tier's ceiling. Organisations
 * already connected to the app (by any user) do not count again; the consent is refused whole, never
 * in part. Returns a reason for the request log, or undefined when the consent may proceed.
 */
export function connectionLimitProblem(input: {
  tier: AppTier;
  connectedTenantIds: ReadonlySet<string>;
  requestedTenantIds: readonly string[];
}): string | undefined {
  const limit = TIER_CONNECTION_LIMITS[input.tier];
  if (limit === undefined) return undefined;
  const added = new Set(input.requestedTenantIds.filter((id) => !input.connectedTenantIds.has(id))).size;
  if (added === 0 || input.connectedTenantIds.size + added <= limit) return undefined;
  return `connection limit reached: ${input.tier} tier allows ${limit} organisations, ${input.connectedTenantIds.size} connected, ${added} more asked for`;
}
