/**
 * Where a credential document lives, as both the hooks (providers/state) and the synthesized
 * `terraform_remote_state` data sources (constructs/) must agree on it. Pure data, no I/O.
 */

/** A state backend address as written in a hook spec: never holds a credential. */
export type StateBackendAddress =
  | { readonly type: "local"; /** Relative to the stack directory, or absolute. */ readonly dir: string }
  | { readonly type: "pg"; readonly schema: string };

/**
 * Document names are `<stack>/<construct path>`: segments of letters, digits, `.`, `_` and `-`,
 * joined by `/`. They are file paths under a local backend and workspace names under pg.
 */
export const DOCUMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/**
 * The longest segment of a document name. A segment is a file name under a local backend, and file
 * names are limited to 255 bytes (NAME_MAX); the longest one made from a segment is the atomic
 * write's temp file, `.<segment>.tfstate.<pid>.<12 hex>.tmp`, up to 34 characters more.
 */
export const MAX_DOCUMENT_SEGMENT_LENGTH = 200;
/** The longest document name: a path under the backend directory, well inside PATH_MAX (4096). */
export const MAX_DOCUMENT_NAME_LENGTH = 1024;

/** Returns why the name is too long for a file system (naming the limit and the length), or undefined. */
export function checkDocumentNameLength(name: string): string | undefined {
  const shown = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (name.length > MAX_DOCUMENT_NAME_LENGTH) {
    return `document name ${shown(name)} is ${name.length} characters long; the limit is ${MAX_DOCUMENT_NAME_LENGTH}`;
  }
  const long = name.split("/").find((segment) => segment.length > MAX_DOCUMENT_SEGMENT_LENGTH);
  if (long !== undefined) {
    return (
      `document name segment ${shown(long)} is ${long.length} characters long; the limit is ${MAX_DOCUMENT_SEGMENT_LENGTH} ` +
      `per segment (a segment is a file name, and file systems allow 255 bytes)`
    );
  }
  return undefined;
}

/** Returns a reason the name is unusable, or undefined when it is fine. */
export function checkDocumentName(name: string): string | undefined {
  const length = checkDocumentNameLength(name);
  if (length !== undefined) return length;
  if (!DOCUMENT_NAME_PATTERN.test(name)) {
    return `document name ${JSON.stringify(name)} must be segments of letters, digits, ".", "_" or "-" joined by "/"`;
  }
  if (name.split("/").some((segment) => segment === "." || segment === ".." || segment.endsWith(".lock"))) {
    return `document name ${JSON.stringify(name)} must not contain "." or ".." segments or end a segment in ".lock"`;
  }
  return undefined;
}

/** Local backend: the document's file, relative to the backend directory. */
export function localDocumentFile(name: string): string {
  return `${name}.tfstate`;
}

/** Valid PostgreSQL schema names we accept: conservative, so no quoting surprises in Terraform's pg backend. */
export const PG_SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Why `schema` cannot hold credential state, or undefined when it can: `public` (every role's
 * default), `information_schema` and `pg_*` belong to PostgreSQL and to everything else in the
 * database, and a typo there would put (or, before, create) cdktf-xero's tables among them.
 */
export function reservedPgSchemaProblem(schema: string): string | undefined {
  if (schema !== "public" && schema !== "information_schema" && !schema.startsWith("pg_")) return undefined;
  return (
    `pg schema "${schema}" is reserved (public, information_schema and pg_* belong to PostgreSQL and everything else in the ` +
    `database): give the credential state a schema of its own, e.g. cdktf_xero`
  );
}

/** Parses `local:<dir>` or `pg:<schema>` (the CLI's `--backend` form). */
export function parseBackendAddress(text: string): StateBackendAddress | undefined {
  if (text.startsWith("local:") && text.length > "local:".length) return { type: "local", dir: text.slice("local:".length) };
  if (text.startsWith("pg:") && PG_SCHEMA_PATTERN.test(text.slice(3))) return { type: "pg", schema: text.slice(3) };
  return undefined;
}

export function formatBackendAddress(address: StateBackendAddress): string {
  return address.type === "local" ? `local:${address.dir}` : `pg:${address.schema}`;
}

/** The embedded default backend: files in the project, next to cdktf.json. */
export const DEFAULT_LOCAL_STATE_DIR = ".cdktf-xero/state";
