import { promises as fs } from "node:fs";
import * as path from "node:path";
import { recreateAdvice, recreateAdviceFor, StateCorruptError } from "../../state/errors";
import { findProjectRoot } from "./context";

/**
 * The exact way back for a damaged document: only its construct's Init hook recreates it, and
 * Terraform runs that only when it creates the Init resource, so the advice must name that
 * resource. The document name alone does not say it (a rotation's document is named after its
 * app, not after its own construct), so it is looked up where it is written: the synthesized
 * stacks, whose Init resources carry the document in their triggers.
 */

/** A construct's Init resource as Terraform addresses it. */
export interface InitResource {
  /** `terraform_data.CustomerPortal_Init_1A2B3C4D` */
  readonly address: string;
  readonly stack: string;
  /** The stack directory, relative to the project root (`cdktf.out/stacks/<stack>`). */
  readonly stackDirectory: string;
}

/** Reads a file as UTF-8, or undefined when it is missing or unreadable. */
export type TextReader = (absolutePath: string) => Promise<string | undefined>;
/** Lists a directory's entries, or [] when it is missing. */
export type DirectoryLister = (absolutePath: string) => Promise<readonly string[]>;

const readText: TextReader = (file) => fs.readFile(file, "utf8").catch(() => undefined);
const listDirectory: DirectoryLister = (dir) => fs.readdir(dir).catch(() => []);

/**
 * The Init resource whose triggers name `document`, in the stacks synthesized under `projectRoot`
 * (cdktf.json's `output`, default `cdktf.out`), or undefined when none does.
 */
export async function findInitResource(
  document: string,
  projectRoot: string,
  io: { readText?: TextReader; listDirectory?: DirectoryLister } = {},
): Promise<InitResource | undefined> {
  const read = io.readText ?? readText;
  const list = io.listDirectory ?? listDirectory;
  const outdir = outputDirectoryOf(await read(path.join(projectRoot, "cdktf.json")));
  const stacksDir = path.join(projectRoot, outdir, "stacks");
  for (const stack of [...(await list(stacksDir))].sort()) {
    const synthesized = parseJson(await read(path.join(stacksDir, stack, "cdk.tf.json")));
    const address = initAddressIn(synthesized, document);
    if (address !== undefined) return { address, stack, stackDirectory: path.join(outdir, "stacks", stack) };
  }
  return undefined;
}

/**
 * At the CLI's edge: a STATE_CORRUPT (or unsupported version) error gets the exact commands for its
 * document's Init resource in place of the generic advice, when the synthesized stacks name it.
 * Other errors, and documents no stack names, are returned as they are.
 */
export async function withRecoveryAdvice(error: unknown, cwd: string, io: { readText?: TextReader; listDirectory?: DirectoryLister } = {}): Promise<unknown> {
  if (!(error instanceof StateCorruptError)) return error;
  const generic = recreateAdvice(error.document);
  if (!error.message.includes(generic)) return error;
  const init = await findInitResource(error.document, findProjectRoot(cwd), io);
  if (init !== undefined) error.message = error.message.replace(generic, recreateAdviceFor(init));
  return error;
}

function outputDirectoryOf(cdktfJson: string | undefined): string {
  const parsed = parseJson(cdktfJson);
  const output = isRecord(parsed) ? parsed["output"] : undefined;
  return typeof output === "string" && output.trim() !== "" ? output : "cdktf.out";
}

/** `terraform_data` Init resources keep the document in `triggers_replace`, `null_resource` ones in `triggers`. */
function initAddressIn(synthesized: unknown, document: string): string | undefined {
  const resources = isRecord(synthesized) ? synthesized["resource"] : undefined;
  if (!isRecord(resources)) return undefined;
  for (const [type, field] of [["terraform_data", "triggers_replace"], ["null_resource", "triggers"]] as const) {
    const ofType = resources[type];
    if (!isRecord(ofType)) continue;
    for (const [name, body] of Object.entries(ofType)) {
      const triggers = isRecord(body) ? body[field] : undefined;
      if (isRecord(triggers) && triggers["document"] === document) return `${type}.${name}`;
    }
  }
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
