import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";

/** The compiled CLI, as users run it: `npm test` builds dist/ before jest runs. */
const MAIN = join(__dirname, "..", "..", "dist", "cli", "main.js");

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const newline = buffered.indexOf("\n");
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${String(code)} before printing its URLs`)));
  });
}

function run(args: string[]): ChildProcessWithoutNullStreams {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  return spawn(process.execPath, [MAIN, ...args], { stdio: "pipe" });
}

describe("cdktf-xero emulator", () => {
  it("prints one JSON line with the four URLs, serves them, and exits 0 on SIGTERM", async () => {
    const child = run(["emulator", "--port", "0"]);
    const line = await firstLine(child);
    const urls = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(urls)).toEqual(["loginUrl", "identityUrl", "apiUrl", "adminUrl"]);
    expect(urls["identityUrl"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/identity$/);
    const discovery = (await (await fetch(`${urls["identityUrl"]}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(urls["identityUrl"]);
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    expect(await exited).toEqual([0, null]);
  });

  it("exits 0 on SIGINT", async () => {
    const child = run(["emulator"]);
    await firstLine(child);
    const exited = once(child, "exit");
    child.kill("SIGINT");
    expect(await exited).toEqual([0, null]);
  });

  it("passes --issuer and --auto-consent through to the emulator", async () => {
    const child = run(["emulator", "--issuer", "https://identity.xero.com", "--auto-consent"]);
    try {
      const urls = JSON.parse(await firstLine(child)) as Record<string, string>;
      const discovery = (await (await fetch(`${urls["identityUrl"]}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe("https://identity.xero.com");
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("refuses a bad --port with exit code 64 and a message naming the flag", async () => {
    const child = run(["emulator", "--port", "http"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(64);
    expect(stderr).toContain("--port must be a whole number 0..65535 (0 = any free port), got http");
  });

  it("refuses a --host that is not an address of this machine with exit 64 and CONFIG_INVALID naming it", async () => {
    const child = run(["emulator", "--host", "203.0.113.7"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(64);
    expect(stderr).toBe(
      'cdktf-xero: CONFIG_INVALID: --host "203.0.113.7" is not an address of this machine (EADDRNOTAVAIL); give one of its own, such as 127.0.0.1\n',
    );
  });

  it("warns on stderr when it listens on every interface, and says so in its JSON line", async () => {
    const child = run(["emulator", "--host", "0.0.0.0"]);
    let stderr = "";
    const warned = new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (stderr.endsWith("\n")) resolve();
      }),
    );
    try {
      const urls = JSON.parse(await firstLine(child)) as Record<string, string>;
      await warned;
      const port = /:(\d+)\/admin$/.exec(urls["adminUrl"] ?? "")?.[1];
      expect(urls["listening"]).toBe(`0.0.0.0:${port}`);
      expect(stderr).toMatch(new RegExp(`^cdktf-xero: warning: the emulator listens on 0\\.0\\.0\\.0:${port} \\(every interface\\), not only on loopback: its admin API, which takes no credentials`));
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  });
});
