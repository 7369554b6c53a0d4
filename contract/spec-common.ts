/**
 * What every kind of hook spec shares: the version, the fields of the base (document, backend),
 * secret references, the patterns they are checked against, the typed error, and the reader that
 * validates a spec from outside field by field. Each kind's module (registration.ts, link.ts,
 * rotation.ts) builds its own spec and rules on these; hook-spec.ts joins the kinds. Pure data and
 * a dependency-free validator; node built-ins only.
 */
import { scopeTokenProblem } from "./scopes";
import { checkDocumentName, PG_SCHEMA_PATTERN, type StateBackendAddress } from "./state-address";

/** The spec version this code writes and understands. Bumped on any incompatible change. */
export const HOOK_SPEC_VERSION = 1;

/** The three kinds of Xero app, in the portal's terms: Web app, PKCE (mobile/desktop), Custom Connection. */
export type AppKind = "web" | "pkce" | "custom_connection";
export const APP_KINDS: readonly AppKind[] = ["web", "pkce", "custom_connection"];

/** How messages name an app kind, in the portal's words. */
export const APP_KIND_LABEL: Readonly<Record<AppKind, string>> = {
  web: "web app",
  pkce: "PKCE app",
  custom_connection: "Custom Connection",
};

/**
 * Where a hook finds a secret at run time. Never the value.
 * - `env`: the process environment Terraform inherited (the pipeline's secret variables).
 * - `file`: a file holding the secret (trailing newline ignored); relative to the stack directory.
 * - `state`: the named key inside the encrypted `secrets` envelope of a document in the same
 *   backend as the spec (or the `app.backend` for a link's app secret).
 */
export type SecretReference =
  | { readonly source: "env"; readonly name: string }
  | { readonly source: "file"; readonly path: string }
  | { readonly source: "state"; readonly document: string; readonly key: string };

/** Environment variable names a secret may come from. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The longest client secret accepted from stdin, a variable, a file or a state document, in bytes
 * (UTF-8). Xero's are 48 characters; anything near this is a wrong file or a pasted document, and
 * must not be sent to Xero (with its retries) or held in memory whole.
 */
export const MAX_CLIENT_SECRET_BYTES = 4096;
/** Keys inside a document's secrets envelope. */
export const SECRET_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** The fields every spec has besides its kind's. */
export interface HookSpecBase {
  readonly version: typeof HOOK_SPEC_VERSION;
  /** The credential document this hook resource owns: `<stack>/<construct path>`. */
  readonly document: string;
  /** Where the document lives. */
  readonly backend: StateBackendAddress;
}

/** A kind's own fields: its spec without the base and the `kind` tag. */
export type KindFields<Spec> = Omit<Spec, keyof HookSpecBase | "kind">;

/** Thrown by `parseHookSpec`; `problems` lists every problem found, each naming its field. */
export class HookSpecError extends Error {
  readonly code = "HOOK_SPEC_INVALID";
  constructor(readonly problems: readonly string[], options?: { cause?: unknown }) {
    super(`invalid hook spec: ${problems.join("; ")}`, options);
    this.name = "HookSpecError";
  }
}

/**
 * What a kind's rules found, as messages that name the field (after `at`, the path prefix: "" for a
 * construct's props, `spec.` for a hook's spec), the problem and the fix. The construct throws the
 * errors and shows the warnings at synth; the hook throws the errors and ignores the warnings.
 */
export interface RuleFindings {
  readonly errors: string[];
  readonly warnings: string[];
}

export function noFindings(): RuleFindings {
  return { errors: [], warnings: [] };
}

/** A short, secret-free description of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A backend address with its keys in one order, for comparing. */
export function sameBackend(a: StateBackendAddress, b: StateBackendAddress): boolean {
  const sorted = (address: StateBackendAddress): string =>
    JSON.stringify(address.type === "local" ? { type: address.type, dir: address.dir } : { type: address.type, schema: address.schema });
  return sorted(a) === sorted(b);
}

type Json = Record<string, unknown>;

/**
 * Reads one object of a spec from outside, records problems with their field paths, and rejects
 * keys it does not know ({@link finish}). `null` counts as absent for optional fields (Terraform
 * renders missing attributes as null). The structure only: each kind's rules add what Xero requires.
 */
export class SpecReader {
  private readonly seen = new Set<string>();
  readonly object: Json | undefined;

  constructor(value: unknown, readonly path: string, readonly problems: string[]) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) this.object = value as Json;
    else problems.push(`${path} must be an object, got ${describeValue(value)}`);
  }

  /** A reader of the object under `key`. */
  child(key: string): SpecReader {
    return new SpecReader(this.get(key), `${this.path}.${key}`, this.problems);
  }

  /** Reports every key of the object not read, and returns `result`. */
  finish<T>(result: T): T {
    for (const key of Object.keys(this.object ?? {})) {
      if (!this.seen.has(key)) this.problems.push(`${this.path}.${key} is not a field of this spec`);
    }
    return result;
  }

  get(key: string): unknown {
    this.seen.add(key);
    return this.object?.[key];
  }

  optional<T>(key: string, read: (key: string) => T): T | undefined {
    return this.get(key) == null ? undefined : read(key);
  }

  text(key: string): string {
    const value = this.get(key);
    if (typeof value === "string" && value.trim() !== "") return value;
    this.problems.push(`${this.path}.${key} must be a non-empty string, got ${describeValue(value)}`);
    return "";
  }

  boolean(key: string): boolean {
    const value = this.get(key);
    if (typeof value === "boolean") return value;
    this.problems.push(`${this.path}.${key} must be true or false, got ${describeValue(value)}`);
    return false;
  }

  /** Any number; the kind's rules say which. */
  number(key: string): number {
    const value = this.get(key);
    if (typeof value === "number") return value;
    this.problems.push(`${this.path}.${key} must be a number, got ${describeValue(value)}`);
    return Number.NaN;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.get(key);
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${this.path}.${key} must be one of ${allowed.join(", ")}, got ${describeValue(value)}`);
    return undefined;
  }

  strings(key: string, options: { allowEmpty: boolean }): string[] {
    const value = this.get(key);
    if (!Array.isArray(value) || (!options.allowEmpty && value.length === 0)) {
      this.problems.push(`${this.path}.${key} must be a ${options.allowEmpty ? "" : "non-empty "}list of strings, got ${describeValue(value)}`);
      return [];
    }
    value.forEach((item, index) => {
      if (typeof item !== "string" || item.trim() === "") {
        this.problems.push(`${this.path}.${key}[${index}] must be a non-empty string, got ${describeValue(item)}`);
      }
    });
    return value.filter((item): item is string => typeof item === "string");
  }

  /** Scope names: tokens Xero could issue, each once (the kind's rules check them against the catalogue). */
  scopes(key: string): string[] {
    const scopes = this.strings(key, { allowEmpty: false });
    scopes.forEach((scope, index) => {
      const problem = scope.trim() === "" ? undefined : scopeTokenProblem(scope);
      if (problem !== undefined) this.problems.push(`${this.path}.${key}[${index}] ${problem}, got ${JSON.stringify(scope)}`);
      if (scopes.indexOf(scope) !== index) this.problems.push(`${this.path}.${key}[${index}] repeats ${JSON.stringify(scope)}`);
    });
    return scopes;
  }

  document(key: string): string {
    const name = this.text(key);
    const problem = name === "" ? undefined : checkDocumentName(name);
    if (problem !== undefined) this.problems.push(`${this.path}.${key}: ${problem}`);
    return name;
  }

  backend(key: string): StateBackendAddress {
    const reader = this.child(key);
    if (reader.object === undefined) return { type: "local", dir: "" };
    const type = reader.oneOf("type", ["local", "pg"] as const);
    if (type === "pg") {
      const schema = reader.text("schema");
      if (schema !== "" && !PG_SCHEMA_PATTERN.test(schema)) {
        this.problems.push(`${this.path}.${key}.schema must match ${PG_SCHEMA_PATTERN}, got ${JSON.stringify(schema)}`);
      }
      return reader.finish({ type, schema });
    }
    if (type === "local") return reader.finish({ type, dir: reader.text("dir") });
    return { type: "local", dir: "" };
  }

  secret(key: string): SecretReference {
    const reader = this.child(key);
    const fallback: SecretReference = { source: "env", name: "" };
    if (reader.object === undefined) return fallback;
    const source = reader.oneOf("source", ["env", "file", "state"] as const);
    if (source === "env") {
      const name = reader.text("name");
      if (name !== "" && !ENV_NAME_PATTERN.test(name)) {
        this.problems.push(`${this.path}.${key}.name must be an environment variable name, got ${JSON.stringify(name)}`);
      }
      return reader.finish({ source, name });
    }
    if (source === "file") return reader.finish({ source, path: reader.text("path") });
    if (source === "state") {
      const document = reader.document("document");
      const secretKey = reader.text("key");
      if (secretKey !== "" && !SECRET_KEY_PATTERN.test(secretKey)) {
        this.problems.push(`${this.path}.${key}.key must match ${SECRET_KEY_PATTERN}, got ${JSON.stringify(secretKey)}`);
      }
      return reader.finish({ source, document, key: secretKey });
    }
    return fallback;
  }
}

/**
 * The reference as a document records it (inside `client_secret_source`, see client-secret-source.ts):
 * a `file` path made absolute, as the hook resolved it, since a relative path means the stack
 * directory only where the hooks run. Where the secret is, never the secret.
 */
export function absoluteSecretReference(reference: SecretReference, resolvePath: (relative: string) => string): SecretReference {
  return reference.source === "file" ? { source: "file", path: resolvePath(reference.path) } : reference;
}
