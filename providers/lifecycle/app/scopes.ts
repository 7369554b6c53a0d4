/** How a registration compares and records scopes: pure, tested without a network. */

/** Declared and granted scopes compared as sets (order and duplicates do not matter). */
export function isSameScopeSet(declared: readonly string[], granted: readonly string[]): boolean {
  const a = new Set(declared);
  const b = new Set(granted);
  return a.size === b.size && [...a].every((scope) => b.has(scope));
}

/** Scopes as the document records them: sorted, no duplicates. */
export function sortedScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes)].sort();
}
