import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToStandardOutput } from "../../cli/commands/token";

/** cli/commands/token.ts: the token's line goes to file descriptor 1 directly, without process.stdout. */

describe("writing the token's line to a file descriptor", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cdktf-xero-token-output-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes all of a line longer than a pipe's buffer, byte for byte (multi-byte characters included)", () => {
    const file = join(dir, "out");
    const line = `${"é".repeat(40_000)}${"x".repeat(70_000)}\n`;
    const fd = openSync(file, "w");
    try {
      writeToStandardOutput(line, fd);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, "utf8")).toBe(line);
  });

  it("throws what the descriptor refuses with, other than EAGAIN, for the command to report", () => {
    const file = join(dir, "read-only");
    closeSync(openSync(file, "w"));
    const fd = openSync(file, "r");
    try {
      expect(() => writeToStandardOutput("token\n", fd)).toThrow(expect.objectContaining({ code: "EBADF" }));
    } finally {
      closeSync(fd);
    }
  });
});
