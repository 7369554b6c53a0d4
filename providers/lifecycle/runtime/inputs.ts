import { HookEnv, HookSpecError, parseHookSpecJson, type HookSpec, type HookVerb } from "../../../contract/hook-spec";
import { ConfigError } from "../../errors";

export { HOOK_VERBS, isHookVerb, type HookVerb } from "../../../contract/hook-spec";

/**
 * Which run of the hook resource this is: the spec hash and generation of its `triggers_replace`.
 * `apply` records both; `destroy` acts only when the document still records the same pair.
 */
export interface HookRun {
  readonly specSha256: string;
  readonly generation: number;
}

export interface HookInputs {
  readonly spec: HookSpec;
  /** Present for `apply` and `destroy`. */
  readonly run: HookRun | undefined;
}

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Reads the hook contract's variables (contract/hook-spec.ts) from the environment, validated once.
 * Throws ConfigError naming the variable: these come from the synthesized stack, so a problem
 * means the stack and the CLI disagree (or the hook was run by hand without them).
 */
export function readHookInputs(verb: HookVerb, env: Readonly<Record<string, string | undefined>>): HookInputs {
  const text = env[HookEnv.spec];
  if (text === undefined || text.trim() === "") {
    throw new ConfigError(
      `${HookEnv.spec} is not set: \`cdktf-xero hook ${verb}\` is run by Terraform's local-exec provisioners of a ` +
        `synthesized cdktf-xero stack, which pass the hook spec in it; run \`cdktf deploy\` instead of calling the hook by hand`,
      { context: { variable: HookEnv.spec } },
    );
  }
  let spec: HookSpec;
  try {
    spec = parseHookSpecJson(text);
  } catch (error) {
    if (!(error instanceof HookSpecError)) throw error;
    throw new ConfigError(`${error.message}; synthesize the stack again with this version of cdktf-xero (\`cdktf synth\`)`, {
      cause: error,
      context: { variable: HookEnv.spec, problems: [...error.problems] },
    });
  }
  if (verb === "init") return { spec, run: undefined };
  return { spec, run: { specSha256: readSha(env, verb), generation: readGeneration(env, verb) } };
}

function readSha(env: Readonly<Record<string, string | undefined>>, verb: HookVerb): string {
  const value = env[HookEnv.specSha256]?.trim();
  if (value === undefined || !SHA256_PATTERN.test(value)) {
    throw new ConfigError(
      `${HookEnv.specSha256} must be the spec's SHA-256 in lower-case hex (64 characters), got ${show(value)}: ` +
        `\`cdktf-xero hook ${verb}\` takes it from the hook resource's triggers; synthesize the stack again`,
      { context: { variable: HookEnv.specSha256 } },
    );
  }
  return value;
}

function readGeneration(env: Readonly<Record<string, string | undefined>>, verb: HookVerb): number {
  const value = env[HookEnv.generation]?.trim();
  const generation = value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  if (generation === undefined) {
    throw new ConfigError(
      `${HookEnv.generation} must be a whole number (the document's generation the plan read), got ${show(value)}: ` +
        `\`cdktf-xero hook ${verb}\` takes it from the hook resource's triggers; synthesize the stack again`,
      { context: { variable: HookEnv.generation } },
    );
  }
  return generation;
}

function show(value: string | undefined): string {
  if (value === undefined || value === "") return "nothing";
  return value.length > 80 ? `a value of ${value.length} characters` : JSON.stringify(value);
}
