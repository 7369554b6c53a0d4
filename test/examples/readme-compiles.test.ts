/**
 * Every ```ts block of the READMEs type-checks against this checkout's sources, as a user's project
 * would compile it: each block is its own .ts file in a temp directory, "cdktf-xero" is mapped to
 * index.ts, and "cdktf" and the rest come from this checkout's node_modules.
 *
 * Fragments: a block whose fence is preceded by `<!-- continues "Section title" -->` (invisible in
 * the rendered README) is compiled after the first ts block of that section, so it may use what it
 * declares (`stack`, `sync`); later blocks of a section stand alone, each with its own `stack`. A
 * block's own imports may sit at its top even then.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../support/checkout";

interface Block {
  readonly readme: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  readonly section: string;
  readonly code: string;
  /** The section this block continues, when it is a fragment. */
  readonly continues: string | undefined;
}

const READMES = ["README.md", join("providers", "lifecycle", "README.md")];

function blocksOf(readme: string): Block[] {
  const file = join(PROJECT_ROOT, readme);
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const blocks: Block[] = [];
  let section = "";
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heading = /^#{1,6} (.+)$/.exec(line);
    if (heading !== null) section = heading[1]!.trim();
    if (/^```/.test(line) && line.trim() !== "```ts") {
      // Another language's fence: skip to its end so its contents are not read as markdown.
      const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
      i = end === -1 ? lines.length : end;
      continue;
    }
    if (line.trim() !== "```ts") continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end === -1) throw new Error(`${readme}:${i + 1}: a \`\`\`ts block is never closed`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before -= 1;
    const marker = before >= 0 ? /^<!-- continues "(.+)" -->$/.exec(lines[before]!.trim()) : null;
    blocks.push({ readme, line: i + 2, section, code: lines.slice(i + 1, end).join("\n"), continues: marker?.[1] });
    i = end;
  }
  return blocks;
}

/** The block's program text (the first block of the section it continues, then its own code) and how many lines come before its own. */
function programOf(block: Block, all: readonly Block[]): { readonly text: string; readonly prefixLines: number } {
  if (block.continues === undefined) return { text: `${block.code}\n`, prefixLines: 0 };
  const earlier = all.filter((b) => b.readme === block.readme && b.section === block.continues && b.line < block.line).slice(0, 1);
  if (earlier.length === 0) throw new Error(`${block.readme}:${block.line}: continues "${block.continues}", which has no earlier ts block`);
  const prefix = `${earlier.map((b) => b.code).join("\n")}\n`;
  return { text: `${prefix}${block.code}\n`, prefixLines: prefix.split("\n").length - 1 };
}

function compilerOptions(): ts.CompilerOptions {
  const configFile = join(PROJECT_ROOT, "tsconfig.json");
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, PROJECT_ROOT, undefined, configFile);
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    rootDir: undefined,
    outDir: undefined,
    typeRoots: [join(PROJECT_ROOT, "node_modules", "@types")],
    // CDK Terrain has cdktf's API under new names, and cdktn needs Node.js 22: on this suite's Node.js
    // its blocks are checked against cdktf's types (npm run test:cdktn compiles against cdktn itself).
    paths: {
      "cdktf-xero": [join(PROJECT_ROOT, "index.ts")],
      "cdktf-xero/cdktn": [join(PROJECT_ROOT, "index.ts")],
      "cdktf-xero/tokens": [join(PROJECT_ROOT, "providers", "tokens", "index.ts")],
      cdktn: [join(PROJECT_ROOT, "node_modules", "cdktf")],
    },
  };
}

describe("README examples", () => {
  const blocks = READMES.flatMap(blocksOf);

  it("are found in README.md (at least the three it has)", () => {
    expect(blocks.filter((b) => b.readme === "README.md").length).toBeGreaterThanOrEqual(3);
  });

  it("type-check against this checkout, each as its own file (fragments after the section they continue)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cdktf-xero-readme-"));
    try {
      // "cdktf", "constructs" and the jest types resolve as in a project with this checkout's packages installed.
      symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
      const files = new Map<string, { readonly block: Block; readonly prefixLines: number }>();
      blocks.forEach((block, index) => {
        const file = join(dir, `example-${index + 1}.ts`);
        const { text, prefixLines } = programOf(block, blocks);
        writeFileSync(file, text);
        files.set(file, { block, prefixLines });
      });
      const program = ts.createProgram([...files.keys()], compilerOptions());
      const failures = ts.getPreEmitDiagnostics(program).flatMap((diagnostic) => {
        const example = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName);
        // The checkout's own sources are checked by `npm run typecheck`; here only the examples count.
        if (diagnostic.file !== undefined && example === undefined) return [];
        const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
        if (example === undefined) return [`(compiler) ${text}`];
        const { block, prefixLines } = example;
        const line = diagnostic.start === undefined ? undefined : diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start).line;
        const at =
          line === undefined ? "" : line >= prefixLines ? ` (README line ${block.line + line - prefixLines})` : ` (in the section it continues, "${block.continues}")`;
        return [`${block.readme}:${block.line} block starting \`${block.code.split("\n")[0]}\`${at}: TS${diagnostic.code} ${text}`];
      });
      expect(failures).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
