/**
 * The drift bundle ends its process with exitWhenFlushed rather than waiting for the event loop to
 * run dry (which first frees the whole heap). Run in fresh Node processes whose output is a pipe, as
 * a pipeline reads it.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const EXIT_WHEN_FLUSHED = join(__dirname, "..", "..", "dist", "cli", "exit-when-flushed.js");

function runScript(body: string): { code: number | null; stdout: string; stderr: string } {
  const script = `const { exitWhenFlushed } = require(${JSON.stringify(EXIT_WHEN_FLUSHED)});\n${body}`;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("exitWhenFlushed", () => {
  it("ends the process with the code given, although a timer would keep it alive for a minute", () => {
    const run = runScript(`setTimeout(() => process.stdout.write("the timer ran"), 60_000); exitWhenFlushed(2);`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
  });

  it("loses nothing written to stdout and stderr before it", () => {
    const run = runScript(
      `for (let i = 0; i < 20_000; i++) process.stdout.write("line " + i + " " + "x".repeat(100) + "\\n");\n` +
        `process.stderr.write("e".repeat(300_000));\n` +
        `exitWhenFlushed(0);`,
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(20_000);
    expect(lines[19_999]).toBe(`line 19999 ${"x".repeat(100)}`);
    expect(run.stderr).toHaveLength(300_000);
  });

  it("runs the process's exit listeners, as a process that ends by itself does", () => {
    const run = runScript(`process.on("exit", (code) => process.stdout.write("exit listener saw " + code)); exitWhenFlushed(3);`);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("exit listener saw 3");
  });
});
