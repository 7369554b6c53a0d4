/**
 * The CDK Terrain entry point (`cdktf-xero/cdktn`) as the build leaves it in dist/cdktn/. cdktn
 * itself needs Node.js 22 (npm run test:cdktn deploys with it); here, on the suite's Node.js, the
 * output is checked, and its code is run with `cdktn` standing for cdktf (the same API).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cdktnSpecifier, swapFrameworkSpecifiers } from "../../scripts/build-cdktn-entry";
import { PROJECT_ROOT } from "../support/checkout";

const ENTRY_DIR = join(PROJECT_ROOT, "dist", "cdktn");

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? declarationFiles(join(dir, entry.name)) : entry.name.endsWith(".d.ts") ? [join(dir, entry.name)] : [],
  );
}

describe("swapFrameworkSpecifiers", () => {
  test("swaps cdktf for cdktn in imports, exports, require and import()", () => {
    const source = [
      'import { App } from "cdktf";',
      "import { type TerraformResource } from 'cdktf';",
      'export { Token } from "cdktf";',
      'const cdktf_1 = require("cdktf");',
      'type T = import("cdktf").TerraformStack;',
    ].join("\n");
    expect(swapFrameworkSpecifiers(source)).toBe(
      [
        'import { App } from "cdktn";',
        "import { type TerraformResource } from 'cdktn';",
        'export { Token } from "cdktn";',
        'const cdktf_1 = require("cdktn");',
        'type T = import("cdktn").TerraformStack;',
      ].join("\n"),
    );
  });

  test("leaves other specifiers alone, cdktf-xero and relative paths included", () => {
    const source = 'import { XeroSecret } from "cdktf-xero";\nimport { paths } from "./cdktf";\nimport { Construct } from "constructs";';
    expect(swapFrameworkSpecifiers(source)).toBe(source);
  });

  test("sends @cdktf/provider-null, which has no cdktn build, to the stand-in", () => {
    expect(cdktnSpecifier("@cdktf/provider-null/lib/resource", "/stand-in.js")).toBe("/stand-in.js");
    expect(swapFrameworkSpecifiers('import { NullProvider } from "@cdktf/provider-null/lib/provider";', "/stand-in.js")).toBe(
      'import { NullProvider } from "/stand-in.js";',
    );
  });
});

describe("dist/cdktn, the cdktn entry point", () => {
  test("its code requires cdktn and constructs, and no cdktf package", () => {
    const code = readFileSync(join(ENTRY_DIR, "index.js"), "utf8");
    const packages = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!).filter((name) => !name.startsWith("node:")));
    expect([...packages].sort()).toEqual(["cdktn", "constructs"]);
  });

  test("its declarations import cdktn, never cdktf, and export what the cdktf entry's do", () => {
    const files = declarationFiles(ENTRY_DIR);
    expect(files.length).toBeGreaterThan(10);
    const text = files.map((file) => readFileSync(file, "utf8")).join("\n");
    expect(text).toContain('from "cdktn"');
    expect(text).not.toMatch(/(from\s*|import\(\s*)["'](cdktf|@cdktf\/[^"']*)["']/);
    expect(readFileSync(join(ENTRY_DIR, "index.d.ts"), "utf8")).toBe(readFileSync(join(PROJECT_ROOT, "dist", "index.d.ts"), "utf8"));
  });

  test("package.json exports it as cdktf-xero/cdktn, with types for both module resolutions, and ships it", () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
      files: string[];
    };
    expect(manifest.exports["./cdktn"]).toEqual({ types: "./dist/cdktn/index.d.ts", default: "./dist/cdktn/index.js" });
    expect(manifest.typesVersions["*"]?.["cdktn"]).toEqual(["dist/cdktn/index.d.ts"]);
    expect(manifest.files).toContain("dist/cdktn/");
  });
});

describe("the cdktn entry's code, with cdktf standing in for cdktn", () => {
  jest.mock("cdktn", () => jest.requireActual("cdktf"), { virtual: true });
  const cdktf = jest.requireActual<typeof import("cdktf")>("cdktf");
  const entry = (): typeof import("../../index") => jest.requireActual(join(ENTRY_DIR, "index.js"));

  function registration(hookResource?: "terraform_data" | "null_resource"): InstanceType<typeof cdktf.TerraformStack> {
    const { XeroAppKind, XeroAppRegistration, XeroSecret } = entry();
    const app = cdktf.Testing.app();
    const stack = new cdktf.TerraformStack(app, "billing");
    new XeroAppRegistration(stack, "Sync", {
      kind: XeroAppKind.CUSTOM_CONNECTION,
      appName: "Sync",
      clientId: "6E4D953BAAE949D1A1B399307AD58B94",
      clientSecret: XeroSecret.fromEnv("SYNC_SECRET"),
      scopes: ["accounting.invoices.read"],
      ...(hookResource === undefined ? {} : { hookResource }),
    });
    return stack;
  }

  test("renders terraform_data hooks by default", () => {
    const synthesized = JSON.parse(cdktf.Testing.synth(registration())) as { resource: Record<string, unknown> };
    expect(Object.keys(synthesized.resource)).toEqual(["terraform_data"]);
  });

  test('fails hookResource "null_resource" at synth, naming the stack and terraform_data', () => {
    expect(() => registration("null_resource")).toThrow(
      'billing: hookResource "null_resource" needs @cdktf/provider-null, which has no CDK Terrain (cdktn) build; ' +
        'under cdktn use "terraform_data" (XeroHookResource.TERRAFORM_DATA, the default, built into Terraform >= 1.4 and OpenTofu)',
    );
  });
});
