import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { driftCommandProblem } from "../../bench/drift";

/** The drift benchmark refuses to run, saying why, against a CLI without the drift command. */
describe("the drift benchmark's check for the drift command", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), "cdktf-xero-drift-check-"));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A stand-in CLI that prints `help` for any arguments, as commander does for an unknown command's --help. */
  async function cliPrinting(help: string): Promise<string> {
    const path = join(dir, `cli-${Math.random().toString(36).slice(2)}.js`);
    await fs.writeFile(path, `process.stdout.write(${JSON.stringify(help)});\n`);
    return path;
  }

  it("names the missing command and how to get it when drift --help shows only the top-level help", async () => {
    const cli = await cliPrinting("Usage: cdktf-xero [options] [command]\n\nCommands:\n  emulator [options]\n");
    expect(driftCommandProblem(cli)).toBe(
      `${cli} has no \`drift\` command (\`cdktf-xero drift --help\` does not show its usage), so there is nothing to ` +
        "measure: build a checkout that has the drift command (issue 11), e.g. `npm run build` after merging it, then run " +
        "`node dist/bench/drift.js` again",
    );
  });

  it("finds no problem when drift --help shows the drift command's usage", async () => {
    const cli = await cliPrinting("Usage: cdktf-xero drift [options]\n\nCheck live Xero credentials\n");
    expect(driftCommandProblem(cli)).toBeUndefined();
  });
});
