import * as fs from "node:fs";
import * as path from "node:path";

const PACKAGE_NAME = "cdktf-xero";

/**
 * The version in cdktf-xero's own package.json (`cdktf-xero --version`), found by walking up from this
 * file: cli/ under ts-node and jest, dist/cli/ when compiled or bundled.
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const parsed: unknown = JSON.parse(fs.readFileSync(manifest, "utf8"));
      if (parsed !== null && typeof parsed === "object") {
        const { name, version } = parsed as { name?: unknown; version?: unknown };
        if (name === PACKAGE_NAME && typeof version === "string") return version;
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${from}: reinstall cdktf-xero`);
  }
}
