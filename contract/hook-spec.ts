/**
 * The hook spec: the contract between what the constructs synthesize (constructs/) and what the
 * lifecycle hooks do (`cdktf-xero hook init|apply|destroy`, providers/lifecycle). Pure data and a
 * dependency-free validator; node built-ins only.
 *
 * ## How a hook receives it
 *
 * Terraform runs `node <stack-relative path>/dist/cli/hook-launcher.js hook <init|apply|destroy>` with the
 * stack directory (`cdktf.out/stacks/<stack>`) as working directory and these variables added to
 * the inherited environment:
 *
 * - `CDKTF_XERO_SPEC`: the spec as JSON text (keys in any order; optional fields absent or null).
 * - `CDKTF_XERO_SPEC_SHA256`: {@link hashHookSpec} of the spec as synthesized (apply and destroy).
 * - `CDKTF_XERO_GENERATION`: the trigger generation this run is for, a decimal integer (apply and
 *   destroy). `apply` records it as the document's `generation` output so the next plan is clean.
 *
 * Relative paths in the spec (a local backend's `dir`, a file secret's `path`) are relative to that
 * working directory. Endpoints (`XERO_*` variables) and secret values are never in the spec.
 *
 * ## Replacement and destroy
 *
 * A change of the spec or of the generation replaces the hook resource, `create_before_destroy`:
 * `apply` runs for the new spec, then the old object is deposed and destroyed. Terraform does not
 * run destroy-time provisioners for deposed objects (verified with 1.11.4; hashicorp/terraform
 * #13395, #31266), so `destroy` runs only when the resource really goes (`cdktf destroy`, or the
 * construct removed while its provisioner config is still present). Even so, `destroy` should act
 * only when the document still records the run it is destroying (same spec hash and generation)
 * and do nothing when a newer `apply` superseded it: a future Terraform may run it on replacement.
 * Removing a construct from the code removes its provisioners too, so Terraform then destroys
 * the resource without running `destroy`: the document stays (drift can report it).
 */
import { createHash } from "node:crypto";
import { scopeInfo, scopeTokenProblem } from "./scopes";
import { checkDocumentName, PG_SCHEMA_PATTERN, type StateBackendAddress } from "./state-address";

/** The spec version this code writes and understands. Bumped on any incompatible change. */
export const HOOK_SPEC_VERSION = 1;

/** Environment variable names of the hook contract (see the module comment). */
export const HookEnv = {
  spec: "CDKTF_XERO_SPEC",
  specSha256: "CDKTF_XERO_SPEC_SHA256",
  generation: "CDKTF_XERO_GENERATION",
} as const;

/**
 * The hook verbs, listed once: what `cdktf-xero hook <verb>` runs, what the constructs' provisioners
 * call (`init` at the Init resource's creation, `apply` at the main resource's, `destroy` at its
 * destruction) and what the lifecycle dispatches on.
 */
export const HOOK_VERBS = ["init", "apply", "destroy"] as const;
export type HookVerb = (typeof HOOK_VERBS)[number];

/** Whether `word` names a hook verb (`cdktf-xero hook <verb>`). */
export function isHookVerb(word: string | undefined): word is HookVerb {
  return (HOOK_VERBS as readonly (string | undefined)[]).includes(word);
}

/** The three kinds of Xero app, in the portal's terms: Web app, PKCE (mobile/desktop), Custom Connection. */
export type AppKind = "web" | "pkce" | "custom_connection";
export const APP_KINDS: readonly AppKind[] = ["web", "pkce", "custom_connection"];

/** What a hook resource stands for. */
export type HookSpecKind = "app_registration" | "custom_connection_link" | "secret_rotation";
export const HOOK_SPEC_KINDS: readonly HookSpecKind[] = ["app_registration", "custom_connection_link", "secret_rotation"];

/** The app kinds that have a client secret to rotate (PKCE apps have none). */
export type RotatedAppKind = "web" | "custom_connection";
export const ROTATED_APP_KINDS: readonly RotatedAppKind[] = ["web", "custom_connection"];

/** The longest `maxAgeSeconds` / `keepPreviousSeconds` a rotation accepts: ten years. */
export const MAX_ROTATION_SECONDS = 10 * 366 * 86_400;

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
/** Xero tenant and connection ids. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The longest a link hook may wait for the emailed authorisation. */
export const MAX_WAIT_FOR_LINK_SECONDS = 86_400;

interface HookSpecBase {
  readonly version: typeof HOOK_SPEC_VERSION;
  /** The credential document this hook resource owns: `<stack>/<construct path>`. */
  readonly document: string;
  /** Where the document lives. */
  readonly backend: StateBackendAddress;
}

/** `XeroAppRegistration`: prove the client live and record what Xero granted. */
export interface AppRegistrationSpec extends HookSpecBase {
  readonly kind: "app_registration";
  readonly appKind: AppKind;
  /** The app's name in the developer portal (for messages and the retire instructions). */
  readonly appName: string;
  readonly clientId: string;
  /** Present for `web` and `custom_connection`; absent for `pkce` (the portal issues no secret). */
  readonly clientSecret?: SecretReference;
  /** Registered redirect URIs, in declaration order; empty for `custom_connection`. */
  readonly redirectUris: readonly string[];
  /** Declared scopes, in declaration order, no duplicates. */
  readonly scopes: readonly string[];
  /**
   * The declared scopes cdktf-xero's catalogue (contract/scopes.ts) does not know, declared with
   * `XeroScopes.custom`: checked for shape only, and left to Xero. Absent when there are none.
   * Every other scope must be in the catalogue, as at synth.
   */
  readonly unknownScopes?: readonly string[];
  readonly companyUrl?: string;
  /** The app was created on or after the granular-scopes cut-over for its kind. */
  readonly createdAfterGranularScopes: boolean;
}

/** What a link knows about the Custom Connection app it uses. */
export interface LinkedAppSpec {
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly appName: string;
  readonly clientId: string;
  readonly clientSecret: SecretReference;
  readonly scopes: readonly string[];
}

/** `XeroCustomConnection`: client credentials + GET /connections; exactly one tenant, the expected one. */
export interface CustomConnectionLinkSpec extends HookSpecBase {
  readonly kind: "custom_connection_link";
  readonly app: LinkedAppSpec;
  readonly expectedTenantId?: string;
  readonly expectedTenantName?: string;
  /** How long `apply` polls while /connections is empty; 0 fails at once with instructions. */
  readonly waitForLinkSeconds: number;
  /** Whether `destroy` deletes the connection (DELETE /connections/{id}). */
  readonly unlinkOnDestroy: boolean;
}

/** What a rotation knows about the app whose client secret it rotates. */
export interface RotatedAppSpec {
  /** The app registration's document; the rotation's own is {@link rotationDocumentFor} of it. */
  readonly document: string;
  readonly backend: StateBackendAddress;
  readonly appName: string;
  readonly appKind: RotatedAppKind;
  readonly clientId: string;
  /** The app's declared secret: the first CURRENT when the rotation bootstraps. */
  readonly clientSecret: SecretReference;
  readonly scopes: readonly string[];
}

/**
 * `XeroSecretRotation`: a staged, resumable rotation of one app's client secret (providers/lifecycle
 * rotation*.ts has the protocol). The document is always `rotationDocumentFor(app.document)`, in the
 * app's backend; its `secrets` envelope holds `current`, `pending` and `previous`.
 */
export interface SecretRotationSpec extends HookSpecBase {
  readonly kind: "secret_rotation";
  readonly app: RotatedAppSpec;
  /** Policy: a CURRENT older than this is overdue. Whole seconds, at least 1. */
  readonly maxAgeSeconds: number;
  /** How long PREVIOUS stays recorded after a promotion, for consumers still on it. Whole seconds, 0 or more. */
  readonly keepPreviousSeconds: number;
  /** What `hook apply` does when the secret is overdue and nothing is staged. */
  readonly onOverdue: "warn" | "fail";
}

export type HookSpec = AppRegistrationSpec | CustomConnectionLinkSpec | SecretRotationSpec;

/** The rotation document of an app: `<app document>/rotation`, in the app's backend. */
export function rotationDocumentFor(appDocument: string): string {
  return `${appDocument}/rotation`;
}

/** Thrown by {@link parseHookSpec}; `problems` lists every problem found, each naming its field. */
export class HookSpecError extends Error {
  readonly code = "HOOK_SPEC_INVALID";
  constructor(readonly problems: readonly string[], options?: { cause?: unknown }) {
    super(`invalid hook spec: ${problems.join("; ")}`, options);
    this.name = "HookSpecError";
  }
}

/** JSON with object keys sorted and no whitespace: the form {@link hashHookSpec} hashes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Lower-case hex SHA-256 of the spec's canonical JSON: what `triggers_replace` carries. */
export function hashHookSpec(spec: HookSpec): string {
  return hashCanonicalJson(canonicalJson(spec));
}

/** {@link hashHookSpec} for a spec whose {@link canonicalJson} the caller already has. */
export function hashCanonicalJson(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex");
}

/** Parses `CDKTF_XERO_SPEC` text. Throws {@link HookSpecError}. */
export function parseHookSpecJson(text: string): HookSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HookSpecError([`${HookEnv.spec} is not JSON (${(error as Error).message})`], { cause: error });
  }
  return parseHookSpec(value);
}

/**
 * Validates a hook spec from outside (the environment, a synthesized stack) and returns it typed.
 * `null` counts as absent for optional fields (Terraform renders missing attributes as null).
 * Throws {@link HookSpecError} listing every problem.
 */
export function parseHookSpec(value: unknown): HookSpec {
  const problems: string[] = [];
  const spec = new Reader(value, "spec", problems).spec();
  if (problems.length > 0 || spec === undefined) throw new HookSpecError(problems.length > 0 ? problems : ["spec is empty"]);
  return spec;
}

type Json = Record<string, unknown>;

/** Reads one object, records problems with their field paths, and rejects keys it does not know. */
class Reader {
  private readonly seen = new Set<string>();
  private readonly object: Json | undefined;

  constructor(value: unknown, private readonly path: string, private readonly problems: string[]) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) this.object = value as Json;
    else problems.push(`${path} must be an object, got ${describe(value)}`);
  }

  spec(): HookSpec | undefined {
    if (this.object === undefined) return undefined;
    const version = this.get("version");
    if (version !== HOOK_SPEC_VERSION) {
      this.problems.push(
        `${this.path}.version must be ${HOOK_SPEC_VERSION}, got ${describe(version)}: synthesize and run hooks with the same cdktf-xero version`,
      );
      return undefined;
    }
    const kind = this.oneOf("kind", HOOK_SPEC_KINDS);
    const base = { version: HOOK_SPEC_VERSION as typeof HOOK_SPEC_VERSION, document: this.document("document"), backend: this.backend("backend") };
    if (kind === "app_registration") return this.finish({ ...base, kind, ...this.registration() });
    if (kind === "custom_connection_link") return this.finish({ ...base, kind, ...this.link() });
    if (kind === "secret_rotation") {
      const rotation = this.rotation();
      if (rotation.app.document !== "") {
        const expected = rotationDocumentFor(rotation.app.document);
        if (base.document !== "" && base.document !== expected) {
          this.problems.push(`${this.path}.document must be ${JSON.stringify(expected)} (the app's document + "/rotation"), got ${JSON.stringify(base.document)}`);
        }
        if (JSON.stringify(sortedBackend(base.backend)) !== JSON.stringify(sortedBackend(rotation.app.backend))) {
          this.problems.push(`${this.path}.backend must be the app's backend (${JSON.stringify(rotation.app.backend)}), got ${JSON.stringify(base.backend)}`);
        }
      }
      return this.finish({ ...base, kind, ...rotation });
    }
    return undefined;
  }

  private rotation(): Omit<SecretRotationSpec, keyof HookSpecBase | "kind"> {
    const app = new Reader(this.get("app"), `${this.path}.app`, this.problems).rotatedApp();
    const onOverdue = this.oneOf("onOverdue", ["warn", "fail"] as const);
    return {
      app: app ?? placeholderRotatedApp,
      maxAgeSeconds: this.seconds("maxAgeSeconds", 1),
      keepPreviousSeconds: this.seconds("keepPreviousSeconds", 0),
      onOverdue: onOverdue ?? "warn",
    };
  }

  rotatedApp(): RotatedAppSpec | undefined {
    if (this.object === undefined) return undefined;
    return this.finish({
      document: this.document("document"),
      backend: this.backend("backend"),
      appName: this.text("appName"),
      appKind: this.oneOf("appKind", ROTATED_APP_KINDS) ?? "web",
      clientId: this.text("clientId"),
      clientSecret: this.secret("clientSecret"),
      scopes: this.scopes("scopes"),
    });
  }

  private seconds(key: string, minimum: number): number {
    const value = this.get(key);
    if (typeof value === "number" && Number.isInteger(value) && value >= minimum && value <= MAX_ROTATION_SECONDS) return value;
    this.problems.push(`${this.path}.${key} must be a whole number of seconds from ${minimum} to ${MAX_ROTATION_SECONDS}, got ${describe(value)}`);
    return minimum;
  }

  private registration(): Omit<AppRegistrationSpec, keyof HookSpecBase | "kind"> {
    const appKind = this.oneOf("appKind", APP_KINDS);
    const clientSecret = this.optional("clientSecret", (at) => this.secret(at));
    if (appKind === "pkce" && clientSecret !== undefined) {
      this.problems.push(`${this.path}.clientSecret must be absent for a pkce app (Xero issues PKCE apps no secret)`);
    }
    if (appKind !== undefined && appKind !== "pkce" && clientSecret === undefined) {
      this.problems.push(`${this.path}.clientSecret is required for a ${appKind} app`);
    }
    const redirectUris = this.strings("redirectUris", { allowEmpty: true });
    if (appKind === "custom_connection" && redirectUris.length > 0) {
      this.problems.push(`${this.path}.redirectUris must be empty for a custom_connection app`);
    }
    if ((appKind === "web" || appKind === "pkce") && redirectUris.length === 0) {
      this.problems.push(`${this.path}.redirectUris must list at least one URI for a ${appKind} app`);
    }
    const companyUrl = this.optional("companyUrl", (at) => this.text(at));
    const scopes = this.scopes("scopes");
    const unknownScopes = this.optional("unknownScopes", (at) => this.scopes(at));
    this.checkScopesKnown(scopes, unknownScopes ?? []);
    return {
      appKind: appKind ?? "web",
      appName: this.text("appName"),
      clientId: this.text("clientId"),
      ...(clientSecret === undefined ? {} : { clientSecret }),
      redirectUris,
      scopes,
      ...(unknownScopes === undefined ? {} : { unknownScopes }),
      ...(companyUrl === undefined ? {} : { companyUrl }),
      createdAfterGranularScopes: this.boolean("createdAfterGranularScopes"),
    };
  }

  private link(): Omit<CustomConnectionLinkSpec, keyof HookSpecBase | "kind"> {
    const appReader = new Reader(this.get("app"), `${this.path}.app`, this.problems);
    const app = appReader.linkedApp();
    const expectedTenantId = this.optional("expectedTenantId", (at) => this.text(at));
    if (expectedTenantId !== undefined && !UUID_PATTERN.test(expectedTenantId)) {
      this.problems.push(`${this.path}.expectedTenantId must be a uuid, got ${JSON.stringify(expectedTenantId)}`);
    }
    const expectedTenantName = this.optional("expectedTenantName", (at) => this.text(at));
    const waitForLinkSeconds = this.get("waitForLinkSeconds");
    if (
      typeof waitForLinkSeconds !== "number" ||
      !Number.isInteger(waitForLinkSeconds) ||
      waitForLinkSeconds < 0 ||
      waitForLinkSeconds > MAX_WAIT_FOR_LINK_SECONDS
    ) {
      this.problems.push(
        `${this.path}.waitForLinkSeconds must be a whole number from 0 to ${MAX_WAIT_FOR_LINK_SECONDS}, got ${describe(waitForLinkSeconds)}`,
      );
    }
    return {
      app: app ?? placeholderApp,
      ...(expectedTenantId === undefined ? {} : { expectedTenantId }),
      ...(expectedTenantName === undefined ? {} : { expectedTenantName }),
      waitForLinkSeconds: typeof waitForLinkSeconds === "number" ? waitForLinkSeconds : 0,
      unlinkOnDestroy: this.boolean("unlinkOnDestroy"),
    };
  }

  linkedApp(): LinkedAppSpec | undefined {
    if (this.object === undefined) return undefined;
    return this.finish({
      document: this.document("document"),
      backend: this.backend("backend"),
      appName: this.text("appName"),
      clientId: this.text("clientId"),
      clientSecret: this.secret("clientSecret"),
      scopes: this.scopes("scopes"),
    });
  }

  private finish<T>(result: T): T {
    for (const key of Object.keys(this.object ?? {})) {
      if (!this.seen.has(key)) this.problems.push(`${this.path}.${key} is not a field of this spec`);
    }
    return result;
  }

  private get(key: string): unknown {
    this.seen.add(key);
    return this.object?.[key];
  }

  private optional<T>(key: string, read: (key: string) => T): T | undefined {
    return this.get(key) == null ? undefined : read(key);
  }

  private text(key: string): string {
    const value = this.get(key);
    if (typeof value === "string" && value.trim() !== "") return value;
    this.problems.push(`${this.path}.${key} must be a non-empty string, got ${describe(value)}`);
    return "";
  }

  private boolean(key: string): boolean {
    const value = this.get(key);
    if (typeof value === "boolean") return value;
    this.problems.push(`${this.path}.${key} must be true or false, got ${describe(value)}`);
    return false;
  }

  private oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.get(key);
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${this.path}.${key} must be one of ${allowed.join(", ")}, got ${describe(value)}`);
    return undefined;
  }

  private strings(key: string, options: { allowEmpty: boolean }): string[] {
    const value = this.get(key);
    if (!Array.isArray(value) || (!options.allowEmpty && value.length === 0)) {
      this.problems.push(`${this.path}.${key} must be a ${options.allowEmpty ? "" : "non-empty "}list of strings, got ${describe(value)}`);
      return [];
    }
    value.forEach((item, index) => {
      if (typeof item !== "string" || item.trim() === "") {
        this.problems.push(`${this.path}.${key}[${index}] must be a non-empty string, got ${describe(item)}`);
      }
    });
    return value.filter((item): item is string => typeof item === "string");
  }

  /** As at synth: a scope the catalogue lacks must be marked unknown, and only such scopes may be. */
  private checkScopesKnown(scopes: readonly string[], unknownScopes: readonly string[]): void {
    scopes.forEach((scope, index) => {
      if (scopeInfo(scope) === undefined && !unknownScopes.includes(scope)) {
        this.problems.push(
          `${this.path}.scopes[${index}] ${JSON.stringify(scope)} is not a scope cdktf-xero knows and is not listed in ${this.path}.unknownScopes (declare it with XeroScopes.custom)`,
        );
      }
    });
    unknownScopes.forEach((scope, index) => {
      if (!scopes.includes(scope)) this.problems.push(`${this.path}.unknownScopes[${index}] ${JSON.stringify(scope)} is not one of ${this.path}.scopes`);
      else if (scopeInfo(scope) !== undefined) {
        this.problems.push(`${this.path}.unknownScopes[${index}] ${JSON.stringify(scope)} is a scope cdktf-xero knows; list it in ${this.path}.scopes only`);
      }
    });
  }

  private scopes(key: string): string[] {
    const scopes = this.strings(key, { allowEmpty: false });
    scopes.forEach((scope, index) => {
      const problem = scope.trim() === "" ? undefined : scopeTokenProblem(scope);
      if (problem !== undefined) this.problems.push(`${this.path}.${key}[${index}] ${problem}, got ${JSON.stringify(scope)}`);
      if (scopes.indexOf(scope) !== index) this.problems.push(`${this.path}.${key}[${index}] repeats ${JSON.stringify(scope)}`);
    });
    return scopes;
  }

  private document(key: string): string {
    const name = this.text(key);
    const problem = name === "" ? undefined : checkDocumentName(name);
    if (problem !== undefined) this.problems.push(`${this.path}.${key}: ${problem}`);
    return name;
  }

  private backend(key: string): StateBackendAddress {
    const reader = new Reader(this.get(key), `${this.path}.${key}`, this.problems);
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

  private secret(key: string): SecretReference {
    const reader = new Reader(this.get(key), `${this.path}.${key}`, this.problems);
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

const placeholderApp: LinkedAppSpec = {
  document: "",
  backend: { type: "local", dir: "" },
  appName: "",
  clientId: "",
  clientSecret: { source: "env", name: "" },
  scopes: [],
};

const placeholderRotatedApp: RotatedAppSpec = { ...placeholderApp, appKind: "web" };

/** A backend address with its keys in one order, for comparing. */
function sortedBackend(address: StateBackendAddress): unknown {
  return address.type === "local" ? { type: address.type, dir: address.dir } : { type: address.type, schema: address.schema };
}

/** A short, secret-free description of a value for messages. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === "object" ? "an object" : typeof value;
}
