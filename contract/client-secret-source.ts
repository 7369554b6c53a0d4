/**
 * What a Custom Connection's documents (its registration, and a link to it) record so that
 * `cdktf-xero token` and `getAccessToken` can mint its access token from the document alone: where
 * the app's client secret comes from (a reference, never the value), and the cached access token's
 * expiry (the token itself sits in the document's sealed envelope). Pure data, no I/O.
 */
import { SpecReader, type SecretReference } from "./spec-common";
import type { StateBackendAddress } from "./state-address";

/** Where an app's client secret comes from: the app's document (its rotation is `<document>/rotation`) and its reference. */
export interface ClientSecretSource {
  /** The app registration's document. */
  readonly appDocument: string;
  /** The app's backend, as the hooks address it (a relative `local:` dir is taken from the stack directory). */
  readonly backend: StateBackendAddress;
  /** The declared secret; the rotation's CURRENT wins over it once one is recorded. */
  readonly clientSecret: SecretReference;
}

/** The output names (both in a registration's and in a link's document). */
export const ClientSecretSourceOutputs = {
  /** {@link ClientSecretSource} as JSON, written by `hook apply`. */
  source: "client_secret_source",
  /** When the access token cached in the envelope expires (RFC 3339); absent when none is cached. */
  accessTokenExpiresAt: "access_token_expires_at",
} as const;

/** The envelope key of the cached access token. */
export const CACHED_ACCESS_TOKEN_KEY = "access_token";

/** The recorded text: keys in a fixed order, so an unchanged source never rewrites the document. */
export function encodeClientSecretSource(source: ClientSecretSource): string {
  const backend = source.backend.type === "local" ? { type: "local", dir: source.backend.dir } : { type: "pg", schema: source.backend.schema };
  const reference = source.clientSecret;
  const clientSecret =
    reference.source === "env"
      ? { source: "env", name: reference.name }
      : reference.source === "file"
        ? { source: "file", path: reference.path }
        : { source: "state", document: reference.document, key: reference.key };
  return JSON.stringify({ appDocument: source.appDocument, backend, clientSecret });
}

/** The recorded source, or undefined when the output is absent or not one (a document written before it was recorded). */
export function decodeClientSecretSource(text: unknown): ClientSecretSource | undefined {
  if (typeof text !== "string") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const problems: string[] = [];
  const reader = new SpecReader(value, ClientSecretSourceOutputs.source, problems);
  const source = reader.finish({ appDocument: reader.document("appDocument"), backend: reader.backend("backend"), clientSecret: reader.secret("clientSecret") });
  return problems.length === 0 ? source : undefined;
}
