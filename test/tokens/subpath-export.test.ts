import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../support/checkout";

/**
 * `cdktf-xero/tokens`, the library entry for consumers: resolved through package.json's `exports`
 * as a consumer resolves it, and loading neither cdktf, constructs, nor the constructs' modules.
 */

interface Loaded {
  readonly exports: string[];
  readonly modules: string[];
}

/** Requires the entry in a fresh process and reports what it exports and every module it loaded. */
function loadEntry(): Loaded {
  const script = `
    const tokens = require("cdktf-xero/tokens");
    process.stdout.write(JSON.stringify({ exports: Object.keys(tokens), modules: Object.keys(require.cache) }));
  `;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  if (run.status !== 0) throw new Error(`requiring cdktf-xero/tokens failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Loaded;
}

describe("the cdktf-xero/tokens entry", () => {
  it("exports getAccessToken and its typed errors", () => {
    expect(loadEntry().exports).toEqual(expect.arrayContaining(["getAccessToken", "ConnectionNotConsentedError", "ConsentRequiredError", "TenantNotConnectedError"]));
  });

  it("loads no cdktf, no constructs and none of cdktf-xero's constructs", () => {
    const modules = loadEntry().modules.map((file) => file.slice(PROJECT_ROOT.length));
    expect(modules.some((file) => file.includes("/providers/tokens/get-access-token.js"))).toBe(true);
    expect(modules.filter((file) => /\/node_modules\/(cdktf|constructs|@cdktf)\/|\/dist\/constructs\//.test(file))).toEqual([]);
  });

  it("loads no Xero client until a token must be refreshed or minted", () => {
    const modules = loadEntry().modules;
    expect(modules.filter((file) => /\/node_modules\/axios\/|\/providers\/xero\/client\.js$/.test(file))).toEqual([]);
  });

  it("is declared in package.json's exports and typesVersions, and shipped", () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
      files: string[];
    };
    expect(manifest.exports["./tokens"]).toEqual({ types: "./dist/providers/tokens/index.d.ts", default: "./dist/providers/tokens/index.js" });
    expect(manifest.typesVersions["*"]?.["tokens"]).toEqual(["dist/providers/tokens/index.d.ts"]);
    expect(manifest.files).toContain("dist/providers/");
  });
});
