/**
 * What the checkout holds outside build outputs and installed packages, to prove a test run wrote
 * nothing there. Build outputs (dist/) are the build's, and node_modules/ is npm's.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const PROJECT_ROOT = join(__dirname, "..", "..");

const NOT_WATCHED = new Set(["node_modules", "dist", ".git"]);

/**
 * Every file of the checkout (relative path → size and modification time). Directories alone do not
 * count: the construct tests synthesize with cdktf.out as their output directory, as a real project
 * does (cdktf creates it, empty), and write nothing into it.
 */
export function checkoutFingerprint(root: string = PROJECT_ROOT): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (dir === root && NOT_WATCHED.has(entry.name)) continue;
      const full = join(dir, entry.name);
      const path = relative(root, full);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        const stat = statSync(full, { throwIfNoEntry: false });
        if (stat !== undefined) seen.set(path, `${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(root);
  return seen;
}

/** "added x", "changed y", "removed z" for each difference, in path order. */
export function describeCheckoutChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths.flatMap((path) => {
    const was = before.get(path);
    const is = after.get(path);
    if (was === is) return [];
    if (was === undefined) return [`added ${path}`];
    if (is === undefined) return [`removed ${path}`];
    return [`changed ${path}`];
  });
}
