import * as path from "node:path";
import { formatBackendAddress, type StateBackendAddress } from "../../../contract/state-address";
import type { TokenSetLocation } from "../../tokens/errors";

/**
 * Where a connection's token set lives, as the `connect` command in messages names it. A person runs
 * that command from the project root, while a local backend's dir is relative to the stack
 * directory the hook runs in: so a relative dir is rewritten relative to the root (as the rotation's
 * `secret stage` commands are; an absolute one is kept), and always spelled out, so the command
 * works as printed.
 */
export function connectLocation(
  document: string,
  backend: StateBackendAddress,
  at: { readonly projectRoot: string; readonly cwd: string },
): TokenSetLocation {
  if (backend.type === "pg" || path.isAbsolute(backend.dir)) return { document, backendFlag: `--backend ${formatBackendAddress(backend)}` };
  const fromRoot = path.relative(at.projectRoot, path.resolve(at.cwd, backend.dir)).split(path.sep).join("/") || ".";
  return { document, backendFlag: `--backend local:${fromRoot}` };
}
