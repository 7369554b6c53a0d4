/**
 * The hook spec: the contract between what the constructs synthesize (constructs/) and what the
 * lifecycle hooks do (`cdktf-xero hook init|apply|destroy`, providers/lifecycle): the environment
 * it travels in, the union of the kinds, and the dispatch of the validator to each kind's module
 * (registration.ts, link.ts, rotation.ts, connection.ts; spec-common.ts has what they share). A new kind is one
 * module like those and one line in {@link HOOK_SPEC_READERS}. Node built-ins only.
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
import { readConnection, type OAuthConnectionSpec } from "./connection";
import { readLink, type CustomConnectionLinkSpec } from "./link";
import { readRegistration, type AppRegistrationSpec } from "./registration";
import { readRotation, type SecretRotationSpec } from "./rotation";
import { HOOK_SPEC_VERSION, HookSpecError, SpecReader, describeValue, type HookSpecBase, type KindFields } from "./spec-common";

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

/** Reads and checks one kind's own fields (the base is read already). */
type KindReader<Spec> = (reader: SpecReader, base: HookSpecBase) => KindFields<Spec>;

/** Every kind of hook spec, by its `kind` tag, with the reader of its own fields: one line a kind. */
const HOOK_SPEC_READERS = {
  app_registration: readRegistration as KindReader<AppRegistrationSpec>,
  custom_connection_link: readLink as KindReader<CustomConnectionLinkSpec>,
  secret_rotation: readRotation as KindReader<SecretRotationSpec>,
  oauth_connection: readConnection as KindReader<OAuthConnectionSpec>,
} as const;

/** What a hook resource stands for. */
export type HookSpecKind = keyof typeof HOOK_SPEC_READERS;
export const HOOK_SPEC_KINDS = Object.keys(HOOK_SPEC_READERS) as readonly HookSpecKind[];

/** The spec of each kind, by its `kind` tag. */
type SpecOf<Kind extends HookSpecKind> = (typeof HOOK_SPEC_READERS)[Kind] extends KindReader<infer Spec> ? Spec : never;

/** Any hook spec: the union of the kinds in {@link HOOK_SPEC_READERS}. */
export type HookSpec = { [Kind in HookSpecKind]: SpecOf<Kind> }[HookSpecKind];

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
 * Validates a hook spec from outside (the environment, a synthesized stack) with its kind's rules,
 * the ones its construct ran at synth, and returns it typed. `null` counts as absent for optional
 * fields (Terraform renders missing attributes as null). Throws {@link HookSpecError} listing every problem.
 */
export function parseHookSpec(value: unknown): HookSpec {
  const problems: string[] = [];
  const spec = readSpec(new SpecReader(value, "spec", problems));
  if (problems.length > 0 || spec === undefined) throw new HookSpecError(problems.length > 0 ? problems : ["spec is empty"]);
  return spec;
}

function readSpec(reader: SpecReader): HookSpec | undefined {
  if (reader.object === undefined) return undefined;
  const version = reader.get("version");
  if (version !== HOOK_SPEC_VERSION) {
    reader.problems.push(
      `${reader.path}.version must be ${HOOK_SPEC_VERSION}, got ${describeValue(version)}: synthesize and run hooks with the same cdktf-xero version`,
    );
    return undefined;
  }
  const kind = reader.oneOf("kind", HOOK_SPEC_KINDS);
  const base: HookSpecBase = { version: HOOK_SPEC_VERSION, document: reader.document("document"), backend: reader.backend("backend") };
  if (kind === undefined) return undefined;
  const read = HOOK_SPEC_READERS[kind] as KindReader<HookSpec>;
  return reader.finish({ ...base, kind, ...read(reader, base) } as HookSpec);
}

export { HookSpecError };
