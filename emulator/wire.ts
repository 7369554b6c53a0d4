/** Small wire-format helpers shared by route groups. */

/** Xero's connection timestamps: `2019-12-07T18:46:19.5165400`, seven fractional digits and no `Z`. */
export function formatXeroTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}0000`;
}

/** Seconds since the epoch, as JWT claims count time. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
