import { CdktfXeroError } from "../errors";

/**
 * Errors of the state backend. Every message names the document (or key, or backend) and says what
 * to do next; `context` holds only names, serials, paths and key ids, never a secret or a key.
 */

/**
 * Another process holds the document's lock (or, with `locked`, another lock the operation needs,
 * such as a pg schema's migration lock) and did not release it before the timeout.
 */
export class StateLockedError extends CdktfXeroError {
  readonly code = "STATE_LOCKED";
  constructor(
    readonly document: string,
    readonly holder: string,
    options: {
      timeoutMs: number;
      cause?: unknown;
      /** What is locked, in words. @default `state document "<document>"` */
      locked?: string;
      /** What to do. @default wait for the holder, or stop it if it hangs */
      fix?: string;
    },
  ) {
    super(
      `${options.locked ?? `state document "${document}"`} is locked by ${holder}; waited ${options.timeoutMs} ms. ` +
        (options.fix ??
          `Wait for that process to finish and retry, or stop it if it hangs ` +
            `(a lock whose process is gone is taken over automatically).`),
      {
        cause: options.cause,
        context: { document, holder, timeoutMs: options.timeoutMs, ...(options.locked === undefined ? {} : { locked: options.locked }) },
      },
    );
  }
}

/** A compare-and-swap write found a different serial than the writer read. Nothing was written. */
export class StateConflictError extends CdktfXeroError {
  readonly code = "STATE_CONFLICT";
  constructor(
    readonly document: string,
    readonly expectedSerial: number | undefined,
    readonly actualSerial: number | undefined,
  ) {
    super(
      `state document "${document}" changed while it was being updated ` +
        `(expected ${describeSerial(expectedSerial)}, found ${describeSerial(actualSerial)}); nothing was written. ` +
        `Read it again and retry (StateBackend.update does this under the lock).`,
      { context: { document, expectedSerial: expectedSerial ?? null, actualSerial: actualSerial ?? null } },
    );
  }
}

function describeSerial(serial: number | undefined): string {
  return serial === undefined ? "no document" : `serial ${serial}`;
}

/**
 * How a damaged or missing document comes back. Only a construct's `Init` hook creates a document,
 * and Terraform runs it only when it creates that resource, so a plain `cdktf deploy` after the
 * document was removed fails reading it: the Init resource must be replaced. This generic form
 * does not know the resource's address; the CLI replaces it with {@link recreateAdviceFor}'s exact
 * commands when it finds the construct in the synthesized stacks (providers/lifecycle/runtime/recovery.ts).
 */
export function recreateAdvice(document: string): string {
  return (
    `remove it, then run its construct's Init hook again, which recreates it: \`terraform apply -replace=<address>\` in the ` +
    `stack's directory (cdktf.out/stacks/<stack>), or \`TF_CLI_ARGS_apply=-replace=<address> npx cdktf deploy <stack>\`, ` +
    `where <address> is the construct's Init resource (\`terraform state list\` there lists it as <type>.<construct>_Init_<hash>; ` +
    `the one whose triggers name "${document}"); a plain \`cdktf deploy\` does not run an Init hook that already ran`
  );
}

/** {@link recreateAdvice} for a known Init resource: the exact commands. */
export function recreateAdviceFor(init: { readonly address: string; readonly stack: string; readonly stackDirectory: string }): string {
  return (
    `remove it, then run its construct's Init hook again, which recreates it: \`terraform apply -replace=${init.address}\` in ` +
    `${init.stackDirectory}, or \`TF_CLI_ARGS_apply=-replace=${init.address} npx cdktf deploy ${init.stack}\` from the project ` +
    `directory; a plain \`cdktf deploy\` does not run an Init hook that already ran`
  );
}

/** A stored document (or history) is not something we can use. It was left untouched. */
export class StateCorruptError extends CdktfXeroError {
  readonly code: string = "STATE_CORRUPT";
  constructor(
    readonly document: string,
    readonly location: string,
    readonly reason: string,
    options: { cause?: unknown; fix?: string } = {},
  ) {
    super(
      `state document "${document}" at ${location} ${reason}; it was left untouched. ` +
        (options.fix ??
          `Restore it from a backup, or ${recreateAdvice(document)} ` +
            `(\`cdktf-xero state history ${document}\` shows what last changed it).`),
      { cause: options.cause, context: { document, location, reason } },
    );
  }
}

/** A document in Terraform's state format, but a version this code does not read. */
export class StateVersionError extends StateCorruptError {
  override readonly code = "STATE_UNSUPPORTED_VERSION";
  constructor(document: string, location: string, version: unknown) {
    super(document, location, `has state format version ${JSON.stringify(version)}, but only version 4 is supported`, {
      fix:
        `Point the backend at documents written by cdktf-xero (Terraform state version 4), ` +
        `or ${recreateAdvice(document)}.`,
    });
  }
}

const KEY_HELP =
  "Set CDKTF_XERO_STATE_KEY to a base64-encoded 32-byte key (for example `openssl rand -base64 32`), " +
  "or a keyring `kid:key,kid:key` whose first key writes, or set CDKTF_XERO_STATE_KEY_FILE to a file holding either.";

/** A secret must be written or read, but no state key is configured. */
export class StateKeyMissingError extends CdktfXeroError {
  readonly code = "STATE_KEY_MISSING";
  constructor(readonly document: string, action: "write" | "read") {
    super(`cannot ${action} the secrets of state document "${document}": no state key is configured. ${KEY_HELP}`, {
      context: { document },
    });
  }
}

/** The configured key (from the environment or a key file) is malformed. */
export class StateKeyInvalidError extends CdktfXeroError {
  readonly code = "STATE_KEY_INVALID";
  constructor(source: string, problem: string) {
    super(`the state key in ${source} is unusable: ${problem}. ${KEY_HELP}`, { context: { source } });
  }
}

/**
 * A state key file that group or others may read or write: anyone with an account on the machine
 * could take the key (ssh refuses a private key file like this for the same reason). Nothing was read.
 */
export class StateKeyFileExposedError extends CdktfXeroError {
  readonly code = "STATE_KEY_FILE_EXPOSED";
  constructor(file: string, mode: number) {
    const octal = mode.toString(8).padStart(4, "0");
    super(
      `the state key file ${file} has mode ${octal}: group or others may read or write it, so anyone with an account on this ` +
        `machine could take the key that opens every stored secret. Run \`chmod 600 ${file}\` (readable by its owner only) and ` +
        `retry; the key was not used.`,
      { context: { file, mode: octal } },
    );
  }
}

/** The envelope names a key id the keyring does not have. */
export class StateUnknownKidError extends CdktfXeroError {
  readonly code = "STATE_UNKNOWN_KID";
  constructor(
    readonly document: string,
    readonly kid: string,
    readonly knownKids: readonly string[],
  ) {
    super(
      `cannot read the secrets of state document "${document}": they are encrypted with key id "${kid}", ` +
        `which is not in the configured keyring (${knownKids.length === 0 ? "empty" : knownKids.map((k) => `"${k}"`).join(", ")}). ` +
        `Add that key to CDKTF_XERO_STATE_KEY as "${kid}:<base64 key>" (after the key that writes), then run \`cdktf-xero state rekey\`.`,
      { context: { document, kid, knownKids: [...knownKids] } },
    );
  }
}

/** The envelope's key id is known, but decryption failed: a different key under that id, or tampering. */
export class StateKeyMismatchError extends CdktfXeroError {
  readonly code = "STATE_KEY_MISMATCH";
  constructor(readonly document: string, readonly kid: string, options: { cause?: unknown } = {}) {
    super(
      `cannot read the secrets of state document "${document}": key id "${kid}" in the keyring is not the key they ` +
        `were encrypted with (or the envelope was altered). Configure the original key for "${kid}" in CDKTF_XERO_STATE_KEY ` +
        `or CDKTF_XERO_STATE_KEY_FILE; nothing was changed.`,
      { cause: options.cause, context: { document, kid } },
    );
  }
}

/** The filesystem (or the database) refused access to the document. Nothing was changed. */
export class StatePermissionError extends CdktfXeroError {
  readonly code = "STATE_PERMISSION";
  constructor(
    readonly document: string,
    readonly path: string,
    options: { cause?: unknown; errno?: string; fix?: string },
  ) {
    super(
      `cannot access state document "${document}": ${path} refused access (${options.errno ?? "permission denied"}); nothing was changed. ` +
        (options.fix ??
          `Point --backend at a directory this user can write (local:<dir>), or fix the owner and mode of ${path} ` +
            `(the backend keeps directories at 0700 and files at 0600).`),
      { cause: options.cause, context: { document, path, errno: options.errno ?? null } },
    );
  }
}

/** The backend cannot be reached (PostgreSQL down, connection lost). The operation was not applied. */
export class StateUnavailableError extends CdktfXeroError {
  readonly code = "STATE_UNAVAILABLE";
  constructor(
    readonly backend: string,
    readonly document: string | undefined,
    problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `state backend ${backend} is unavailable${document === undefined ? "" : ` for document "${document}"`}: ${problem}. ` +
        `Nothing was half-written (each change is one transaction: applied whole or not at all). Check that PostgreSQL is running ` +
        `and that PG_CONN_STR (or the PG* variables) point at it, then retry.`,
      { cause: options.cause, context: { backend, document: document ?? null } },
    );
  }
}

/**
 * A read-only command's backend does not exist (a local directory, or a pg schema or its tables):
 * usually a typo in `--backend`. Nothing was created.
 */
export class StateBackendNotFoundError extends CdktfXeroError {
  readonly code = "STATE_BACKEND_NOT_FOUND";
  constructor(backend: string, problem: string, fix: string) {
    super(`state backend ${backend} does not exist: ${problem}. ${fix}; nothing was created.`, { context: { backend } });
  }
}

/** The document a command asked for does not exist. */
export class StateNotFoundError extends CdktfXeroError {
  readonly code = "STATE_NOT_FOUND";
  constructor(readonly document: string, backend: string) {
    super(
      `state document "${document}" does not exist in ${backend}. ` +
        `Run \`cdktf-xero state list --backend ${backend}\` to see the documents it holds.`,
      { context: { document, backend } },
    );
  }
}

/** `state rekey` could not re-encrypt some documents; the others were re-encrypted. */
export class StateRekeyIncompleteError extends CdktfXeroError {
  readonly code = "STATE_REKEY_INCOMPLETE";
  constructor(readonly failures: readonly { readonly document: string; readonly code: string }[]) {
    super(
      `could not re-encrypt ${failures.length} state document(s): ` +
        `${failures.map((f) => `"${f.document}" (${f.code})`).join(", ")}. ` +
        `Fix each as its error says (often: add the old key to the keyring after the new one), then run \`cdktf-xero state rekey\` again; ` +
        `documents already re-encrypted are left as they are.`,
      { context: { failures: failures.map((f) => ({ ...f })) } },
    );
  }
}
