/**
 * Credential document outputs: the typed codec each kind builds from its fields, and the outputs
 * every kind's document shares. A document is Terraform state (version 4, outputs only) that the
 * hooks write (providers/) and the synthesized `terraform_remote_state` data sources read back
 * (constructs/): both sides take the names from here, so each name is written down once, in the
 * field that defines it. Pure data, no I/O.
 */

/** A value an output can hold (what Terraform's state types it as: see {@link OutputField.type}). */
export type DocumentValue = string | number | boolean | readonly string[];

/** One output of a document: its name in the document, its Terraform type, and its status default. */
export interface OutputField<Name extends string, Value extends DocumentValue> {
  readonly name: Name;
  /** Terraform's state `type` (what a writer stores next to the value). */
  readonly type: "string" | "number" | "bool" | readonly ["list", "string"];
  /**
   * What the status read (`terraform_remote_state` defaults) assumes before the document has the
   * output, and what a reader falls back to. Absent for outputs Terraform never reads.
   */
  readonly statusDefault?: Value;
  /** Narrows a stored value; undefined when it has the wrong type (counted as absent). */
  readonly read: (value: unknown) => Value | undefined;
}

const readText = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A string output. */
export function textOutput<Value extends string = string, Name extends string = string>(
  name: Name,
  statusDefault?: string,
): OutputField<Name, Value> {
  return { name, type: "string", statusDefault: statusDefault as Value | undefined, read: readText as (value: unknown) => Value | undefined };
}

/** A whole, non-negative number output. */
export function countOutput<Name extends string>(name: Name, statusDefault?: number): OutputField<Name, number> {
  const read = (value: unknown): number | undefined => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
  return { name, type: "number", statusDefault, read };
}

/** A bool output. */
export function flagOutput<Name extends string>(name: Name, statusDefault?: boolean): OutputField<Name, boolean> {
  return { name, type: "bool", statusDefault, read: (value) => (typeof value === "boolean" ? value : undefined) };
}

/** A list-of-strings output. */
export function listOutput<Name extends string>(name: Name, statusDefault?: readonly string[]): OutputField<Name, readonly string[]> {
  const read = (value: unknown): readonly string[] | undefined =>
    Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
  return { name, type: ["list", "string"], statusDefault, read };
}

/** A due date that never comes: what `due_at` holds when nothing is scheduled. */
export const NEVER_DUE = "9999-12-31T23:59:59Z";

/**
 * Outputs every kind's document has. `generation` and `due_at` drive the triggers; the bookkeeping
 * ones are the hooks' own (never read back by Terraform).
 */
export const CommonOutputFields = {
  /**
   * The trigger value the hook last ran for. Starts at 0 (`hook init`); bumped by anything outside
   * Terraform that wants the hook to run again (`secret stage`, `drift --mark`).
   */
  generation: countOutput("generation", 0),
  /** When the next scheduled run is due, RFC 3339 UTC (`2026-12-01T00:00:00Z`); {@link NEVER_DUE} when none. */
  dueAt: textOutput("due_at", NEVER_DUE),
  /** True once `hook destroy` retired the document (history kept). */
  retired: flagOutput("retired", false),
  /** The AES-256-GCM envelope of secret material; sensitive; never read back by Terraform. */
  secrets: textOutput("secrets"),
  /** The client id the document's hook proved (an app's own, or the app a link or rotation uses). */
  clientId: textOutput("client_id", ""),
  /** The app's name in the portal, for messages and drift. */
  appName: textOutput("app_name"),
  /** `CDKTF_XERO_SPEC_SHA256` of the apply that wrote the document: `destroy` compares it. */
  specSha256: textOutput("spec_sha256"),
  /**
   * `CDKTF_XERO_GENERATION` of the apply that wrote the document: `destroy` compares it. Kept apart
   * from `generation`, which is the trigger and may be bumped past it outside Terraform.
   */
  appliedGeneration: countOutput("applied_generation"),
  /** When an apply last proved and wrote a changed outcome (RFC 3339). Not a change by itself. */
  verifiedAt: textOutput("verified_at"),
  /**
   * The codes of the findings `cdktf-xero drift --mark` recorded, sorted, beside the `generation` it
   * bumped; the next `hook apply` of the resource drops them (its run answers the mark).
   */
  driftFindings: listOutput("drift_findings"),
  /** When `drift --mark` recorded them (RFC 3339). */
  driftMarkedAt: textOutput("drift_marked_at"),
} as const;

type AnyField = OutputField<string, DocumentValue>;
type FieldValue<F> = F extends OutputField<string, infer Value> ? Value : never;

/** The values of a kind's outputs, keyed by the camelCase names code uses. */
export type OutputValuesOf<Fields extends Record<string, AnyField>> = { -readonly [Key in keyof Fields]?: FieldValue<Fields[Key]> };

/** A kind's document outputs: names, Terraform types, status defaults, and typed encode/decode. */
export interface DocumentCodec<Fields extends Record<string, AnyField>> {
  readonly fields: Fields;
  /** The names in the document, keyed by the camelCase name code uses. */
  readonly names: { readonly [Key in keyof Fields]: Fields[Key]["name"] };
  /** The status read's `defaults`: every output with a status default, by document name. */
  readonly statusDefaults: Readonly<Record<string, DocumentValue>>;
  /** Outputs by document name, ready to store (absent values left out). */
  encode(values: OutputValuesOf<Fields>): Record<string, DocumentValue>;
  /** The outputs this codec knows, typed; absent or wrongly typed ones are left out. */
  decode(stored: Readonly<Record<string, unknown>> | undefined): OutputValuesOf<Fields>;
}

/** Builds a kind's codec from its fields (each field defined once, in {@link CommonOutputFields} or the kind's module). */
export function documentCodec<Fields extends Record<string, AnyField>>(fields: Fields): DocumentCodec<Fields> {
  const entries = Object.entries(fields) as Array<[keyof Fields & string, AnyField]>;
  const names = Object.fromEntries(entries.map(([key, field]) => [key, field.name])) as DocumentCodec<Fields>["names"];
  const statusDefaults: Record<string, DocumentValue> = {};
  for (const [, field] of entries) if (field.statusDefault !== undefined) statusDefaults[field.name] = field.statusDefault;
  return {
    fields,
    names,
    statusDefaults,
    encode(values) {
      const encoded: Record<string, DocumentValue> = {};
      for (const [key, field] of entries) {
        const value = values[key];
        if (value !== undefined) encoded[field.name] = value as DocumentValue;
      }
      return encoded;
    },
    decode(stored) {
      const decoded: Record<string, DocumentValue> = {};
      for (const [key, field] of entries) {
        const value = field.read(stored?.[field.name]);
        if (value !== undefined) decoded[key] = value;
      }
      return decoded as OutputValuesOf<Fields>;
    },
  };
}

/** The outputs every document has, as a codec (what kind-independent code reads and writes). */
export const CommonOutputs = documentCodec(CommonOutputFields);
