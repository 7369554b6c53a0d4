import { CdktfXeroError } from "../../errors";
import type { SecretReference } from "../../../contract/spec-common";

/**
 * How every hook names an app and a secret reference in a message, and the failure every kind
 * shares (a secret reference that resolves to nothing). Each kind's own failures are in its
 * folder's errors.ts. All have a stable `code`, a message that names the app (or document), the
 * problem and the fix, and a secret-free `context`, composed from names, ids and secret references
 * only, never from a secret value.
 */

/** The portal page where apps are managed; there is no API for it. */
export const XERO_APP_MANAGEMENT_URL = "https://developer.xero.com/app/manage";

/** The app a message is about: names and ids only. */
export interface AppDescription {
  readonly appName: string;
  readonly clientId: string;
  readonly appKind: "web" | "pkce" | "custom_connection";
}

export const KIND_LABEL = { web: "Web app", pkce: "PKCE app", custom_connection: "Custom Connection" } as const;

/** `Custom Connection "Nightly sync" (client id 6E4D…)`. */
export function describeApp(app: AppDescription): string {
  return `${KIND_LABEL[app.appKind]} "${app.appName}" (client id ${app.clientId})`;
}

/** Where a secret comes from, in words: never its value. */
export function describeSecretReference(reference: SecretReference): string {
  switch (reference.source) {
    case "env":
      return `environment variable ${reference.name}`;
    case "file":
      return `file ${reference.path}`;
    case "state":
      return `key "${reference.key}" of state document "${reference.document}"`;
  }
}

/** A secret reference points at nothing usable. Nothing was sent to Xero and nothing was recorded. */
export class HookSecretUnavailableError extends CdktfXeroError {
  readonly code = "HOOK_SECRET_UNAVAILABLE";
  constructor(app: AppDescription, reference: SecretReference, problem: string, fix: string, options: { cause?: unknown } = {}) {
    super(
      `the client secret of ${describeApp(app)} comes from ${describeSecretReference(reference)}, ${problem}. ${fix}; nothing was recorded.`,
      { cause: options.cause, context: { appName: app.appName, clientId: app.clientId, secretSource: reference.source } },
    );
  }
}
