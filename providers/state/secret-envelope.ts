import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { SECRETS_OUTPUT, type SealedSecrets, type StateDocument } from "./document";
import { StateCorruptError, StateKeyMismatchError, StateKeyMissingError, StateUnknownKidError } from "./errors";
import type { Keyring } from "./keyring";

/**
 * The `secrets` output: an AES-256-GCM envelope `{v, kid, iv, ct, tag}` (JSON, base64 fields) over the
 * JSON of a `Record<string, string>`. The document name is the additional authenticated data, so an
 * envelope copied into another document does not open.
 */

export const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretsEnvelope {
  readonly v: 1;
  readonly kid: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

/** A plain record of secret values, e.g. `{ client_secret: "…", refresh_token: "…" }`. */
export type SecretValues = Readonly<Record<string, string>>;

function aadFor(document: string): Buffer {
  return Buffer.from(`cdktf-xero state secrets v1:${document}`, "utf8");
}

/** Encrypts `values` for `document` with the keyring's first key. */
export function sealSecrets(
  keyring: Keyring,
  document: string,
  values: SecretValues,
  random: (size: number) => Buffer = randomBytes,
): SealedSecrets {
  const writer = keyring.keys[0];
  if (writer === undefined) throw new StateKeyMissingError(document, "write");
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (typeof value !== "string") throw new TypeError(`secret "${key}" of state document "${document}" must be a string`);
    sorted[key] = value;
  }
  const iv = random(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", writer.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(document));
  const ct = Buffer.concat([cipher.update(JSON.stringify(sorted), "utf8"), cipher.final()]);
  const envelope: SecretsEnvelope = {
    v: ENVELOPE_VERSION,
    kid: writer.kid,
    iv: iv.toString("base64"),
    ct: ct.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
  return JSON.stringify(envelope) as SealedSecrets;
}

/** Validates the envelope's shape (no key needed). `location` is for the error message. */
export function parseEnvelope(document: string, location: string, text: string): SecretsEnvelope {
  const corrupt = (reason: string, cause?: unknown): StateCorruptError =>
    new StateCorruptError(document, location, `has a "${SECRETS_OUTPUT}" output that ${reason}`, { cause });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt("is not a JSON envelope", error);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw corrupt("is not a JSON object");
  const { v, kid, iv, ct, tag } = raw as Record<string, unknown>;
  if (v !== ENVELOPE_VERSION) throw corrupt(`has envelope version ${JSON.stringify(v)}, expected ${ENVELOPE_VERSION}`);
  for (const [field, value] of Object.entries({ kid, iv, ct, tag })) {
    if (typeof value !== "string" || value === "") throw corrupt(`has no "${field}" string`);
  }
  return { v: ENVELOPE_VERSION, kid: kid as string, iv: iv as string, ct: ct as string, tag: tag as string };
}

/** The envelope of a document, or undefined when it has no secrets. */
export function envelopeOf(name: string, location: string, document: StateDocument): SecretsEnvelope | undefined {
  const output = document.outputs[SECRETS_OUTPUT];
  if (output === undefined) return undefined;
  if (typeof output.value !== "string") {
    throw new StateCorruptError(name, location, `has a "${SECRETS_OUTPUT}" output that is not a string envelope`);
  }
  return parseEnvelope(name, location, output.value);
}

/** Decrypts an envelope of `document`; typed errors for a missing key, an unknown kid and a wrong key. */
export function openEnvelope(keyring: Keyring, document: string, location: string, envelope: SecretsEnvelope): SecretValues {
  if (keyring.keys.length === 0) throw new StateKeyMissingError(document, "read");
  const key = keyring.keys.find((candidate) => candidate.kid === envelope.kid);
  if (key === undefined) throw new StateUnknownKidError(document, envelope.kid, keyring.keys.map((k) => k.kid));
  let plain: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(envelope.iv, "base64"), { authTagLength: TAG_BYTES });
    decipher.setAAD(aadFor(document));
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new StateKeyMismatchError(document, envelope.kid, { cause: error });
  }
  let values: unknown;
  try {
    values = JSON.parse(plain);
  } catch (error) {
    throw new StateCorruptError(document, location, `has a "${SECRETS_OUTPUT}" envelope that decrypts to something other than JSON`, { cause: error });
  }
  if (typeof values !== "object" || values === null || Array.isArray(values) || !Object.values(values).every((v) => typeof v === "string")) {
    throw new StateCorruptError(document, location, `has a "${SECRETS_OUTPUT}" envelope that does not hold string values`);
  }
  return values as SecretValues;
}

/**
 * Keyed fingerprints for history and audit: `hmac-sha256:<kid>:<32 hex>`. The HMAC key is derived from
 * the writing state key, so a fingerprint reveals nothing without it and can be compared with later ones.
 */
export function fingerprintSecrets(keyring: Keyring, values: SecretValues): Record<string, string> {
  const writer = keyring.keys[0];
  if (writer === undefined) return {};
  const fingerprintKey = createHmac("sha256", writer.key).update("cdktf-xero secret fingerprint v1").digest();
  const fingerprints: Record<string, string> = {};
  for (const name of Object.keys(values).sort()) {
    const digest = createHmac("sha256", fingerprintKey).update(values[name] ?? "", "utf8").digest("hex").slice(0, 32);
    fingerprints[name] = `hmac-sha256:${writer.kid}:${digest}`;
  }
  return fingerprints;
}
