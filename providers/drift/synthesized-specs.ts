import { promises as fs } from "node:fs";
import * as path from "node:path";
import { HookEnv, parseHookSpecJson, type HookSpec } from "../../contract/hook-spec";
import { DriftNothingToCheckError } from "./errors";

/**
 * The declarations in the synthesized stacks: the same specs the hooks get. Each construct's Init
 * resource carries its spec as the literal `CDKTF_XERO_SPEC` of its provisioner's environment (the
 * main resource's refers to `self`), with Terraform's template sequences escaped (`$${`, `%%{`).
 */

export interface SynthesizedSpec {
  readonly stack: string;
  /** Where the hooks run for this stack: relative backend dirs and secret files resolve against it. */
  readonly stackDirectory: string;
  readonly spec: HookSpec;
}

export interface SpecReaderIo {
  readText(file: string): Promise<string | undefined>;
  listDirectory(dir: string): Promise<readonly string[]>;
}

const realIo: SpecReaderIo = {
  readText: (file) => fs.readFile(file, "utf8").catch(() => undefined),
  listDirectory: (dir) => fs.readdir(dir).catch(() => []),
};

/** cdktf.json's `output`, default `cdktf.out`. */
export async function outputDirectory(projectRoot: string, io: SpecReaderIo = realIo): Promise<string> {
  const text = await io.readText(path.join(projectRoot, "cdktf.json"));
  try {
    const parsed = text === undefined ? undefined : (JSON.parse(text) as { output?: unknown });
    return typeof parsed?.output === "string" && parsed.output.trim() !== "" ? parsed.output : "cdktf.out";
  } catch {
    return "cdktf.out";
  }
}

function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The literal spec texts of a synthesized stack's Init provisioners. */
export function specTextsIn(synthesized: unknown): string[] {
  const resources = isRecord(synthesized) ? synthesized["resource"] : undefined;
  if (!isRecord(resources)) return [];
  const texts: string[] = [];
  for (const type of ["terraform_data", "null_resource"]) {
    const ofType = resources[type];
    if (!isRecord(ofType)) continue;
    for (const body of Object.values(ofType)) {
      const provisioners = isRecord(body) && Array.isArray(body["provisioner"]) ? body["provisioner"] : [];
      for (const provisioner of provisioners) {
        const localExec = isRecord(provisioner) ? provisioner["local-exec"] : undefined;
        const environment = isRecord(localExec) ? localExec["environment"] : undefined;
        const spec = isRecord(environment) ? environment[HookEnv.spec] : undefined;
        if (typeof spec === "string" && !spec.startsWith("${")) texts.push(unescapeTemplate(spec));
      }
    }
  }
  return texts;
}

/**
 * Every spec in the stacks synthesized under `projectRoot`, or in the named ones. A named stack
 * that was not synthesized, or no synthesized stack at all, is DriftNothingToCheckError.
 */
export async function readSynthesizedSpecs(projectRoot: string, stacks: readonly string[], io: SpecReaderIo = realIo): Promise<SynthesizedSpec[]> {
  const outdir = await outputDirectory(projectRoot, io);
  const stacksDir = path.join(projectRoot, outdir, "stacks");
  const available = [...(await io.listDirectory(stacksDir))].sort();
  if (available.length === 0) {
    throw new DriftNothingToCheckError(
      `no synthesized stacks in ${stacksDir}: run \`cdktf synth\` first (drift checks what the synthesized stacks declare), ` +
        "or check every document in a state backend with --backend local:<dir>|pg:<schema>",
    );
  }
  const unknown = stacks.filter((stack) => !available.includes(stack));
  if (unknown.length > 0) {
    throw new DriftNothingToCheckError(`--stack ${unknown.join(", ")}: no such synthesized stack in ${stacksDir} (stacks: ${available.join(", ")})`);
  }
  const found: SynthesizedSpec[] = [];
  for (const stack of stacks.length > 0 ? [...stacks].sort() : available) {
    const stackDirectory = path.join(stacksDir, stack);
    const text = await io.readText(path.join(stackDirectory, "cdk.tf.json"));
    if (text === undefined) continue;
    let synthesized: unknown;
    try {
      synthesized = JSON.parse(text);
    } catch (error) {
      throw new DriftNothingToCheckError(`${path.join(stackDirectory, "cdk.tf.json")} is not JSON (${(error as Error).message}): run \`cdktf synth\` again`, { cause: error });
    }
    for (const specText of specTextsIn(synthesized)) found.push({ stack, stackDirectory, spec: parseHookSpecJson(specText) });
  }
  return found.sort((a, b) => (a.spec.document < b.spec.document ? -1 : a.spec.document > b.spec.document ? 1 : 0));
}
