import { existsSync } from "node:fs";
import * as path from "node:path";

/**
 * Terraform runs hooks in the stack directory (`cdktf.out/stacks/<stack>`); the project root is the
 * nearest directory above it with cdktf.json. Without one (a hook run elsewhere) it is `cwd`.
 */
export function findProjectRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}
