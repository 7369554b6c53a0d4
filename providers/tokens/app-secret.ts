import * as path from "node:path";
import type { SecretReference } from "../../contract/spec-common";
import type { StateBackendAddress } from "../../contract/state-address";
import type { Clock } from "../clock";
import { outputDirectory } from "../drift/synthesized-specs";
import { resolveAppSecret } from "../lifecycle/app/current-secret";
import { runOperation, type OperationContext } from "../lifecycle/runtime/context";
import type { AppDescription } from "../lifecycle/runtime/errors";

/**
 * An app's client secret for a token request made outside a hook (`token`, `getAccessToken`,
 * `connect`, `refresh --due`): the CURRENT of the app's rotation once one is recorded, else the
 * declared reference (providers/lifecycle/app/current-secret.ts, the hooks' own rule). Loaded only
 * when a token request is really made, so a cached token costs none of this.
 */

/** Where a recorded secret reference is resolved, as a hook would resolve it. */
export interface AppSecretDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project root (cdktf.json): the stack directory and the embedded state key are found from it. */
  readonly projectRoot: string;
  readonly clock: Clock;
  /** Warnings (the declared secret is not the rotation's CURRENT, …). */
  readonly stderr: { write(text: string): void };
}

export interface AppSecretSource {
  readonly app: AppDescription;
  readonly appDocument: string;
  /** The app's backend as the hooks address it (a relative `local:` dir is taken from the stack directory). */
  readonly backend: StateBackendAddress;
  readonly clientSecret: SecretReference;
  /** A document of the stack that declared the reference: relative paths in it are the stack directory's. */
  readonly declaredIn: string;
}

/**
 * Where the hooks of `document` run: `<project root>/<cdktf.json output>/stacks/<stack>`. Declared
 * paths (a `local:` backend dir, a secret file) are written relative to it.
 */
export async function stackDirectoryOf(projectRoot: string, document: string): Promise<string> {
  const stack = document.split("/")[0] ?? "";
  return path.join(projectRoot, await outputDirectory(projectRoot), "stacks", stack);
}

/** Resolves the secret and runs `use` with it (and the operation's context, closed afterwards; errors scrubbed of the secret). */
export async function withAppSecret<T>(
  source: AppSecretSource,
  deps: AppSecretDeps,
  use: (secret: string, ctx: OperationContext) => Promise<T>,
): Promise<T> {
  const cwd = await stackDirectoryOf(deps.projectRoot, source.declaredIn);
  return runOperation({ env: deps.env, cwd, projectRoot: deps.projectRoot, clock: deps.clock, stdout: deps.stderr, stderr: deps.stderr }, async (ctx) => {
    const resolved = await resolveAppSecret(source.appDocument, source.backend, source.clientSecret, source.app, ctx);
    return use(resolved.value, ctx);
  });
}
