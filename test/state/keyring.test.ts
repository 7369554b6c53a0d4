import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_STATE_KEY_FILE, deriveKid, fingerprintSecrets, openStateBackend, parseKeyring } from "../../providers/state";
import { TEST_KEY_A, TEST_KEY_B, TEST_KEYRING } from "./support/fixtures";

describe("keyrings", () => {
  it("gives a key without an id a stable id derived from the key", () => {
    const keyring = parseKeyring(TEST_KEY_A, "CDKTF_XERO_STATE_KEY");
    expect(keyring.keys.map((key) => key.kid)).toEqual([deriveKid(Buffer.from(TEST_KEY_A, "base64"))]);
    expect(keyring.keys[0]?.kid).toMatch(/^k-[0-9a-f]{8}$/);
  });

  it("keeps the order of a keyring, so its first key writes", () => {
    expect(parseKeyring(`new:${TEST_KEY_B}, old:${TEST_KEY_A}`, "env").keys.map((key) => key.kid)).toEqual(["new", "old"]);
  });

  it.each([
    ["a key of the wrong length", "a:c2hvcnQ=", "entry 1 is not a base64-encoded 32-byte key (it decodes to 5 bytes)"],
    ["a kid with a space", `my key:${TEST_KEY_A}`, 'entry 1 has key id "my key"; use letters, digits, ".", "_" or "-"'],
    ["a kid twice", `a:${TEST_KEY_A},a:${TEST_KEY_B}`, 'key id "a" appears twice'],
    ["nothing", " , ", "it is empty"],
  ])("refuses %s with STATE_KEY_INVALID and how to make a key", (_, text, problem) => {
    expect(() => parseKeyring(text, "CDKTF_XERO_STATE_KEY")).toThrow(
      expect.objectContaining({
        code: "STATE_KEY_INVALID",
        message: `the state key in CDKTF_XERO_STATE_KEY is unusable: ${problem}. Set CDKTF_XERO_STATE_KEY to a base64-encoded 32-byte key (for example \`openssl rand -base64 32\`), or a keyring \`kid:key,kid:key\` whose first key writes, or set CDKTF_XERO_STATE_KEY_FILE to a file holding either.`,
      }),
    );
  });

  it("never puts the key into the error it raises for a malformed keyring", () => {
    const secretLooking = `a:${TEST_KEY_A}xx`;
    let caught: unknown;
    try {
      parseKeyring(secretLooking, "env");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as { code?: unknown }).code).toBe("STATE_KEY_INVALID");
    expect(JSON.stringify({ message: (caught as Error).message, context: (caught as { context: unknown }).context })).not.toContain(TEST_KEY_A);
  });

  it("fails with STATE_KEY_INVALID when CDKTF_XERO_STATE_KEY_FILE cannot be read", async () => {
    const cwd = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-key-"));
    const backend = await openStateBackend({ type: "local", dir: "state" }, { env: { CDKTF_XERO_STATE_KEY_FILE: "missing.key" }, cwd });
    await expect(backend.sealSecrets("a/B", { x: "y" })).rejects.toMatchObject({
      code: "STATE_KEY_INVALID",
      message: expect.stringMatching(/^the state key in CDKTF_XERO_STATE_KEY_FILE \(\S+missing\.key\) is unusable: the file cannot be read \(ENOENT\)\./),
    });
    await fs.rm(cwd, { recursive: true, force: true });
  });
});

describe("key files", () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), "cdktf-xero-keyfile-"));
  });
  afterEach(() => fs.rm(cwd, { recursive: true, force: true }));

  const exposed = (file: string, mode: string): string =>
    `the state key file ${file} has mode ${mode}: group or others may read or write it, so anyone with an account on this ` +
    `machine could take the key that opens every stored secret. Run \`chmod 600 ${file}\` (readable by its owner only) and ` +
    "retry; the key was not used.";

  it("refuses a CDKTF_XERO_STATE_KEY_FILE readable by group and others with STATE_KEY_FILE_EXPOSED and the chmod 600 fix", async () => {
    const file = path.join(cwd, "my.key");
    await fs.writeFile(file, `${TEST_KEYRING}\n`);
    await fs.chmod(file, 0o644);
    const backend = await openStateBackend({ type: "local", dir: "state" }, { env: { CDKTF_XERO_STATE_KEY_FILE: "my.key" }, cwd });
    await expect(backend.sealSecrets("a/B", { x: "y" })).rejects.toMatchObject({ code: "STATE_KEY_FILE_EXPOSED", message: exposed(file, "0644") });
  });

  it("refuses the default .cdktf-xero/state.key when group may read it, the same way", async () => {
    const file = path.join(cwd, DEFAULT_STATE_KEY_FILE);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${TEST_KEYRING}\n`);
    await fs.chmod(file, 0o640);
    const backend = await openStateBackend({ type: "local", dir: "state" }, { env: {}, cwd });
    await expect(backend.sealSecrets("a/B", { x: "y" })).rejects.toMatchObject({ code: "STATE_KEY_FILE_EXPOSED", message: exposed(file, "0640") });
  });

  it("reads a key file of mode 0600", async () => {
    await fs.writeFile(path.join(cwd, "my.key"), `${TEST_KEYRING}\n`, { mode: 0o600 });
    const backend = await openStateBackend({ type: "local", dir: "state" }, { env: { CDKTF_XERO_STATE_KEY_FILE: "my.key" }, cwd });
    await expect(backend.sealSecrets("a/B", { x: "y" })).resolves.toEqual(expect.any(String));
  });

  it("refuses a key file over 16 KiB with STATE_KEY_INVALID naming the limit, without its content", async () => {
    const file = path.join(cwd, "big.key");
    await fs.writeFile(file, `${TEST_KEYRING},`.repeat(400), { mode: 0o600 });
    const backend = await openStateBackend({ type: "local", dir: "state" }, { env: { CDKTF_XERO_STATE_KEY_FILE: "big.key" }, cwd });
    const error = (await backend.sealSecrets("a/B", { x: "y" }).catch((caught: unknown) => caught)) as Error & { code?: string };
    expect(error.code).toBe("STATE_KEY_INVALID");
    expect(error.message).toMatch(
      new RegExp(`^the state key in CDKTF_XERO_STATE_KEY_FILE \\(${file.replace(/[.]/g, "\\.")}\\) is unusable: the file is 18800 bytes or more; a key file holds at most 16384 bytes\\. `),
    );
    expect(error.message).not.toContain(TEST_KEY_A);
  });
});

describe("secret fingerprints", () => {
  const keyring = (text: string) => parseKeyring(text, "test");

  it("are stable for one key and value and name the writing kid", () => {
    const one = fingerprintSecrets(keyring(`a:${TEST_KEY_A}`), { s: "value" });
    expect(one).toEqual(fingerprintSecrets(keyring(`a:${TEST_KEY_A}`), { s: "value" }));
    expect(one.s).toMatch(/^hmac-sha256:a:[0-9a-f]{32}$/);
  });

  it("differ between keys, so they reveal nothing without the key", () => {
    expect(fingerprintSecrets(keyring(`a:${TEST_KEY_A}`), { s: "value" }).s?.slice(-32)).not.toBe(
      fingerprintSecrets(keyring(`a:${TEST_KEY_B}`), { s: "value" }).s?.slice(-32),
    );
  });
});

describe("backend addresses built by hand", () => {
  it("refuses a pg schema that parseBackendAddress would refuse", async () => {
    await expect(openStateBackend({ type: "pg", schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: 'state backend pg:<schema> needs a schema of lower-case letters, digits and _ (at most 63), got "x\\"; DROP TABLE y; --"',
    });
  });
});
