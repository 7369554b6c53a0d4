import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { MAX_CLIENT_SECRET_BYTES } from "../../../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../../../contract/state-address";
import { systemClock, type Clock } from "../../clock";
import { openStateBackend, type OpenStateBackendOptions, type StateBackend } from "../../state";
import { Redactor } from "../../xero/redact";
import { realSleep } from "../../xero/send";
import { XeroClient, type XeroClientOptions } from "../../xero/client";
import { findProjectRoot } from "./find-project-root";

export { findProjectRoot };

/** Where a hook writes its lines (Terraform shows a local-exec's output prefixed with the resource). */
export interface HookWriter {
  write(text: string): void;
}

/** The part of the Xero client operations use (a scripted double in unit tests). */
export type HookXeroClient = Pick<
  XeroClient,
  "clientId" | "clientCredentials" | "probeClient" | "probeAuthorize" | "listConnections" | "deleteConnection" | "decodeAccessToken" | "refresh" | "revoke"
>;

export type XeroClientFactory = (options: XeroClientOptions) => HookXeroClient;
export type StateBackendFactory = (address: StateBackendAddress, options: OpenStateBackendOptions) => Promise<StateBackend>;

/**
 * Everything an operation against Xero and a state backend touches (a hook, or `secret stage`),
 * injected. Only `env`, `cwd`, `stdout` and `stderr` are required; the CLI passes the process's own.
 */
export interface OperationDeps {
  /**
   * The process's environment: `env` secret references, endpoint overrides (`XERO_*_URL`), state
   * keys and `PG_CONN_STR`; for a hook also its spec (`CDKTF_XERO_SPEC`, …).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The stack directory Terraform runs the hook in: relative backend dirs and secret files resolve against it. */
  readonly cwd: string;
  readonly stdout: HookWriter;
  readonly stderr: HookWriter;
  /**
   * The project root (where cdktf.json is): the embedded default state key
   * `.cdktf-xero/state.key` and a relative `CDKTF_XERO_STATE_KEY_FILE` resolve against it.
   * @default the nearest directory at or above `cwd` holding cdktf.json, else `cwd`
   */
  readonly projectRoot?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Used for the link wait and the client's retry back-off. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter in [0, 1) of the Xero client's retry back-off and of waits for a document lock. @default Math.random */
  readonly random?: () => number;
  /** New ids (a rotation's id). @default crypto.randomUUID */
  readonly newId?: () => string;
  /** @default new XeroClient(options) */
  readonly createXeroClient?: XeroClientFactory;
  /** @default openStateBackend */
  readonly openBackend?: StateBackendFactory;
  /**
   * Reads a `file` secret (absolute path). It may stop past {@link MAX_CLIENT_SECRET_BYTES}: a
   * longer result is refused anyway.
   * @default the file's first MAX_CLIENT_SECRET_BYTES + 1 bytes, as UTF-8
   */
  readonly readFile?: (absolutePath: string) => Promise<string>;
}

/**
 * One operation: the deps with defaults filled in, the backends it opened, and the secret values it
 * resolved, so that every line it writes is redacted against them (defence in depth: no message is
 * built from a value in the first place).
 */
export class OperationContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly projectRoot: string;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly newId: () => string;
  readonly readFile: (absolutePath: string) => Promise<string>;
  private readonly createClient: XeroClientFactory;
  private readonly openBackendAt: StateBackendFactory;
  private readonly backends = new Map<string, Promise<StateBackend>>();
  private redactor = new Redactor();

  constructor(private readonly deps: OperationDeps) {
    this.env = deps.env;
    this.cwd = deps.cwd;
    this.projectRoot = deps.projectRoot ?? findProjectRoot(deps.cwd);
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.newId = deps.newId ?? randomUUID;
    this.readFile = deps.readFile ?? readFileHead;
    this.createClient = deps.createXeroClient ?? ((options) => new XeroClient(options));
    this.openBackendAt = deps.openBackend ?? openStateBackend;
  }

  /** One line on stdout. */
  say(line: string): void {
    this.deps.stdout.write(`${this.redactor.text(line)}\n`);
  }

  /** One line on stderr (warnings). */
  warn(line: string): void {
    this.deps.stderr.write(`${this.redactor.text(line)}\n`);
  }

  /** Registers a resolved secret so no line written afterwards can carry it. */
  registerSecret(value: string): void {
    this.redactor = this.redactor.with(value);
  }

  /** The redactor for the secrets resolved so far (for error messages on the way out). */
  get secretRedactor(): Redactor {
    return this.redactor;
  }

  /** A Xero client for one app; endpoints from `XERO_*_URL` in the hook's environment, else real Xero. */
  xeroClient(credentials: { clientId: string; clientSecret?: string }): HookXeroClient {
    return this.createClient({
      clientId: credentials.clientId,
      ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
      env: this.env,
      clock: this.clock,
      sleep: this.sleep,
      random: this.random,
    });
  }

  /** The backend at `address`, opened once per run. */
  backend(address: StateBackendAddress): Promise<StateBackend> {
    const key = formatBackendAddress(address);
    let opened = this.backends.get(key);
    if (opened === undefined) {
      opened = this.openBackendAt(address, {
        env: this.env,
        clock: this.clock,
        cwd: this.cwd,
        projectRoot: this.projectRoot,
        logger: { warn: (message) => this.warn(`cdktf-xero: warning: ${message}`) },
        lockPolling: { random: this.random },
      });
      this.backends.set(key, opened);
    }
    return opened;
  }

  /** Closes every backend this run opened. */
  async close(): Promise<void> {
    const opened = [...this.backends.values()];
    this.backends.clear();
    await Promise.all(opened.map(async (backend) => (await backend.catch(() => undefined))?.close()));
  }
}

/** A hook is one operation; hook code calls its context and deps by what runs. */
export type HookContext = OperationContext;
export type HookDeps = OperationDeps;

/**
 * Runs `operation` with a fresh context, closes every backend it opened, and scrubs the error it
 * throws (if any) of every secret it resolved. Hooks (run-hook.ts) and `secret stage` both run this way.
 */
export async function runOperation<T>(deps: OperationDeps, operation: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const ctx = new OperationContext(deps);
  try {
    return await operation(ctx);
  } catch (error) {
    throw scrubSecrets(error, ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * Last line of defence: no message is built from a secret value, but should one ever carry a
 * resolved secret (e.g. from a library error), it leaves redacted.
 */
export function scrubSecrets(error: unknown, ctx: OperationContext): unknown {
  if (error instanceof Error) {
    const clean = ctx.secretRedactor.text(error.message);
    if (clean !== error.message) error.message = clean;
    // The error keeps its class (the CLI maps codes by it); its cause chain, which may hold a
    // library's raw error, is replaced by a scrubbed copy.
    if (error.cause !== undefined) error.cause = ctx.secretRedactor.error(error.cause);
  }
  return error;
}

/** The first MAX_CLIENT_SECRET_BYTES + 1 bytes of a file: enough to tell a secret from something too long for one. */
/** Reads a `file` secret no further than a secret may be long (one byte more, so an overlong one is told apart). */
export async function readFileHead(file: string): Promise<string> {
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(MAX_CLIENT_SECRET_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    await handle.close();
  }
}
