/**
 * Synth-time errors. Construct errors are unrecoverable (the app must be fixed), so one class
 * suffices; its message names the construct path, the bad value and the fix.
 */
export class XeroConstructError extends Error {
  readonly code = "CONSTRUCT_INVALID";

  /** @param problems one line each, already prefixed with the construct path */
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "XeroConstructError";
  }
}

/** A short description of a value for messages. Never called on secrets. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** What a plain-string-where-a-reference-belongs is called, without ever showing it. */
export function describeKind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return "a plain string";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
