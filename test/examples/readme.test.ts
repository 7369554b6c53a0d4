/**
 * The README's examples that run in this suite are the README's text, not copies that drift apart.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../support/checkout";

/** The first ```ts block after the heading `## <title>`. */
function exampleUnder(title: string): string {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(`\n## ${title}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error(`README.md has no ts example under "## ${title}"`);
  return match[1]!;
}

test("the README's Test your stacks example is test/examples/testing-matchers.test.ts, which runs", () => {
  const test = readFileSync(join(__dirname, "testing-matchers.test.ts"), "utf8");
  // The test file opens with one comment line saying where it comes from.
  expect(test.slice(test.indexOf("\n") + 1)).toBe(exampleUnder("Test your stacks"));
});
