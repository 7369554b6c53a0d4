import { CommonOutputs } from "../../contract/document-codec";
import { StateCorruptError, StateVersionError } from "./errors";

/**
 * Credential documents in Terraform's state format, version 4, with outputs only, so that
 * Terraform's built-in `terraform_remote_state` data source reads them with no provider.
 *
 * @see https://developer.hashicorp.com/terraform/language/state/remote-state-data
 */

/** The `terraform_version` we stamp: the oldest Terraform this format is verified with. */
export const DOCUMENT_TERRAFORM_VERSION = "1.11.4";

/** The output that holds the AES-256-GCM envelope of a document's secrets. Always sensitive. */
export const SECRETS_OUTPUT = CommonOutputs.names.secrets;

/** The output set to `true` when a document is retired (the resource was destroyed; history kept). */
export const RETIRED_OUTPUT = CommonOutputs.names.retired;

/** Output values a document can hold, each with a fixed Terraform type (see {@link outputTypeOf}). */
export type OutputValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/** The envelope string written to the `secrets` output; made only by `sealSecrets`. */
export type SealedSecrets = string & { readonly __sealedSecrets: unique symbol };

/** What a writer supplies: the outputs. Serial, lineage and format fields are the backend's job. */
export type OutputValues = Readonly<Record<string, OutputValue>> & { readonly secrets?: SealedSecrets };

/** Terraform's JSON encoding of a cty type, as written in a state file's outputs. */
export type OutputType = "string" | "number" | "bool" | readonly ["list", "string"] | readonly ["map", "string"];

export interface StateOutput {
  readonly value: OutputValue;
  readonly type: OutputType;
  readonly sensitive?: true;
}

/** A credential document exactly as stored. */
export interface StateDocument {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Readonly<Record<string, StateOutput>>;
  readonly resources: readonly never[];
}

/** A document as read from a backend. */
export interface StoredDocument {
  readonly name: string;
  readonly serial: number;
  readonly document: StateDocument;
  /** The outputs' values, for convenience (`values.tenant_id`). */
  readonly values: OutputValues;
}

/** The Terraform type descriptor for a value, e.g. `["list","string"]` for `["a","b"]`. */
export function outputTypeOf(value: OutputValue): OutputType {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  return isStringList(value) ? ["list", "string"] : ["map", "string"];
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isStringMap(value: unknown): value is Readonly<Record<string, string>> {
  return isPlainObject(value) && Object.values(value).every((item) => typeof item === "string");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Builds the stored outputs from plain values: types written as Terraform writes them, secrets sensitive. */
export function buildOutputs(values: OutputValues): Record<string, StateOutput> {
  const outputs: Record<string, StateOutput> = {};
  for (const name of Object.keys(values).sort()) {
    const value = values[name];
    if (value === undefined) continue;
    // Callers are typed, but plain-JS callers and casts exist: a value Terraform cannot type is a bug here.
    if (matchType(value) === undefined) {
      throw new TypeError(
        `output "${name}" must be a string, finite number, bool, list of strings or map of strings, got ${JSON.stringify(value)}`,
      );
    }
    outputs[name] =
      name === SECRETS_OUTPUT ? { value, type: outputTypeOf(value), sensitive: true } : { value, type: outputTypeOf(value) };
  }
  return outputs;
}

/** The next document after `previous` (or the first one), with Terraform's serial and lineage rules. */
export function nextDocument(previous: StateDocument | undefined, values: OutputValues, newLineage: () => string): StateDocument {
  return {
    version: 4,
    terraform_version: DOCUMENT_TERRAFORM_VERSION,
    serial: previous === undefined ? 1 : previous.serial + 1,
    lineage: previous?.lineage ?? newLineage(),
    outputs: buildOutputs(values),
    resources: [],
  };
}

/** Serializes a document the way Terraform does (two-space indent, trailing newline). */
export function serializeDocument(document: StateDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The one validator for stored documents. `text` is whatever the disk or the database held;
 * `location` is a path or `pg:<schema> row` for messages.
 */
export function parseDocument(name: string, location: string, text: string): StoredDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateCorruptError(name, location, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isPlainObject(raw)) throw new StateCorruptError(name, location, "is not a JSON object");
  if (raw.version !== 4) throw new StateVersionError(name, location, raw.version);
  const problem = (reason: string): StateCorruptError => new StateCorruptError(name, location, reason);
  const serial = raw.serial;
  if (typeof serial !== "number" || !Number.isSafeInteger(serial) || serial < 0) {
    throw problem(`has serial ${JSON.stringify(serial)}, expected a non-negative integer`);
  }
  if (typeof raw.lineage !== "string") throw problem(`has lineage ${JSON.stringify(raw.lineage)}, expected a string`);
  if (typeof raw.terraform_version !== "string") throw problem("has no terraform_version string");
  // Terraform writes `resources: []` for an empty workspace; a real stack's state is not ours to touch.
  if (raw.resources !== undefined && !(Array.isArray(raw.resources) && raw.resources.length === 0)) {
    throw problem("holds Terraform resources: it is a stack's own state, not a cdktf-xero credential document");
  }
  const rawOutputs = raw.outputs ?? {};
  if (!isPlainObject(rawOutputs)) throw problem("has outputs that are not an object");
  const outputs: Record<string, StateOutput> = {};
  const values: Record<string, OutputValue> = {};
  for (const [key, output] of Object.entries(rawOutputs)) {
    const parsed = parseOutput(output);
    if (typeof parsed === "string") throw problem(`has output "${key}" that ${parsed}`);
    outputs[key] = parsed;
    values[key] = parsed.value;
  }
  const document: StateDocument = {
    version: 4,
    terraform_version: raw.terraform_version,
    serial,
    lineage: raw.lineage,
    outputs,
    resources: [],
  };
  return { name, serial, document, values: values as OutputValues };
}

/** Returns the output, or a reason it is unusable. */
function parseOutput(output: unknown): StateOutput | string {
  if (!isPlainObject(output)) return "is not an object";
  const { value, type, sensitive } = output;
  const expected = matchType(value);
  if (expected === undefined) return "has a value that is not a string, number, bool, list of strings or map of strings";
  if (JSON.stringify(type) !== JSON.stringify(expected)) {
    // An empty list or map is ambiguous by value; the declared type decides.
    const emptyOk =
      (Array.isArray(value) && value.length === 0 && JSON.stringify(type) === JSON.stringify(["list", "string"])) ||
      (isPlainObject(value) && Object.keys(value).length === 0 && JSON.stringify(type) === JSON.stringify(["map", "string"]));
    if (!emptyOk) return `has type ${JSON.stringify(type)} but a value of type ${JSON.stringify(expected)}`;
  }
  if (sensitive !== undefined && typeof sensitive !== "boolean") return "has a non-boolean sensitive flag";
  const outputType = type as OutputType;
  return sensitive === true
    ? { value: value as OutputValue, type: outputType, sensitive: true }
    : { value: value as OutputValue, type: outputType };
}

function matchType(value: unknown): OutputType | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "number" && Number.isFinite(value)) return "number";
  if (typeof value === "boolean") return "bool";
  if (isStringList(value)) return ["list", "string"];
  if (isStringMap(value)) return ["map", "string"];
  return undefined;
}
