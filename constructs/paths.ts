/**
 * Paths written into cdk.tf.json. Terraform runs hooks with the stack directory
 * (`<outdir>/stacks/<stack>`) as working directory, so every path is written relative to it:
 * synth in one checkout, deploy from another, and nothing of the synth machine leaks in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

const PACKAGE_NAME = "cdktf-xero";

let packageRootCache: string | undefined;

/** The directory of the cdktf-xero package this code runs from (walks up to its package.json). */
export function packageRoot(): string {
  if (packageRootCache !== undefined) return packageRootCache;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const parsed: unknown = JSON.parse(fs.readFileSync(manifest, "utf8"));
      if (parsed !== null && typeof parsed === "object" && (parsed as { name?: unknown }).name === PACKAGE_NAME) {
        packageRootCache = dir;
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${__dirname}: reinstall cdktf-xero`);
    dir = parent;
  }
}

/** The absolute stack directory Terraform will run in for the stack holding `construct`. */
export function stackDirectory(construct: IConstruct): string {
  const stack = TerraformStack.of(construct);
  return path.resolve(App.of(construct).outdir, "stacks", stack.node.id);
}

/**
 * `target` as written in cdk.tf.json: relative paths are taken from the project root (the working
 * directory at synth, where cdktf.json lives) and rewritten relative to the stack directory;
 * absolute paths the user chose are kept as given. Always with `/` separators.
 */
export function fromStackDirectory(construct: IConstruct, target: string): string {
  if (path.isAbsolute(target)) return target.split(path.sep).join("/");
  // The one read of the ambient working directory: cdktf synthesizes from the project root.
  const absolute = path.resolve(process.cwd(), target);
  return toPosix(path.relative(stackDirectory(construct), absolute)) || ".";
}

/** The CLI's hook launcher (dist/cli/hook-launcher.js: the CLI, started fast), relative to the stack directory. */
export function cliScriptFromStackDirectory(construct: IConstruct): string {
  const script = path.join(packageRoot(), "dist", "cli", "hook-launcher.js");
  return toPosix(path.relative(stackDirectory(construct), script));
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
