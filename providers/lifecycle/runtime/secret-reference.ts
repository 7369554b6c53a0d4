import * as path from "node:path";
import { MAX_CLIENT_SECRET_BYTES, type SecretReference } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import type { HookContext } from "./context";
import { HookSecretUnavailableError, type AppDescription } from "./errors";

/**
 * Resolves a secret reference at hook time. The value is registered with the context's redactor at
 * once and never enters a message: errors name the reference and say how to provide it.
 *
 * - `env`: the named variable of the hook's environment (empty counts as unset);
 * - `file`: the file, relative to the stack directory; trailing newlines are stripped;
 * - `state`: the key in the `secrets` envelope of the document, in `backend` (the spec's own).
 */
export async function resolveSecret(
  reference: SecretReference,
  app: AppDescription,
  backend: StateBackendAddress,
  ctx: HookContext,
): Promise<string> {
  const value = await read(reference, app, backend, ctx);
  if (Buffer.byteLength(value, "utf8") > MAX_CLIENT_SECRET_BYTES) {
    // Refused before it is registered or sent anywhere; the message says how long, never what.
    throw new HookSecretUnavailableError(
      app,
      reference,
      `which holds more than ${MAX_CLIENT_SECRET_BYTES} bytes, the most a client secret may have (Xero's are 48 characters)`,
      "Make it hold only the secret, as the Xero developer portal shows it",
    );
  }
  ctx.registerSecret(value);
  return value;
}

async function read(reference: SecretReference, app: AppDescription, backend: StateBackendAddress, ctx: HookContext): Promise<string> {
  const unavailable = (problem: string, fix: string, cause?: unknown): HookSecretUnavailableError =>
    new HookSecretUnavailableError(app, reference, problem, fix, cause === undefined ? {} : { cause });

  switch (reference.source) {
    case "env": {
      const value = ctx.env[reference.name];
      if (value === undefined || value === "") {
        throw unavailable(
          "which is not set in the environment of the hook",
          `Export ${reference.name} in the environment that runs cdktf deploy (for example from the pipeline's secret variables)`,
        );
      }
      return value;
    }
    case "file": {
      const absolute = path.resolve(ctx.cwd, reference.path);
      let text: string;
      try {
        text = await ctx.readFile(absolute);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        throw unavailable(
          `which cannot be read at ${absolute} (${code})`,
          `Create that file holding only the secret (a relative path is taken from the stack directory ${ctx.cwd}), or fix the path in XeroSecret.fromFile`,
          // The cause is the fs error: it names the path, never the content.
          error,
        );
      }
      const value = text.replace(/[\r\n]+$/, "");
      if (value === "") {
        throw unavailable(`but ${absolute} is empty`, "Write the secret into that file");
      }
      return value;
    }
    case "state": {
      const store = await ctx.backend(backend);
      const stored = await store.read(reference.document);
      const stage = `Write it into that document's secrets in ${store.label} (the secret rotation records the current secret there), or reference the secret with XeroSecret.fromEnv or XeroSecret.fromFile`;
      if (stored === undefined) {
        throw unavailable(`but that document does not exist in ${store.label}`, stage);
      }
      const secrets = await store.openSecrets(stored);
      const value = secrets[reference.key];
      if (value === undefined || value === "") {
        const keys = Object.keys(secrets).sort();
        throw unavailable(
          `but that document's secrets have no key "${reference.key}" (keys: ${keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ")})`,
          stage,
        );
      }
      return value;
    }
  }
}
