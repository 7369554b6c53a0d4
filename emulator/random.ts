import { randomBytes, randomUUID } from "node:crypto";

/** The emulator's source of identifiers and secrets; injectable so handler tests can be exact. */
export interface EmulatorRandom {
  uuid(): string;
  bytes(length: number): Buffer;
}

export const cryptoRandom: EmulatorRandom = { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) };

/** Xero client ids look like `6E4D953BAAE949D1A1B399307AD58B94`: 32 uppercase hex characters. */
export function newClientId(random: EmulatorRandom): string {
  return random.bytes(16).toString("hex").toUpperCase();
}

/** Portal secrets are 48 URL-safe characters. */
export function newClientSecret(random: EmulatorRandom): string {
  return random.bytes(36).toString("base64url");
}

/** Opaque handles for codes and refresh tokens, IdentityServer-style 64 hex characters. */
export function newHandle(random: EmulatorRandom): string {
  return random.bytes(32).toString("hex").toUpperCase();
}

/** Xero `sub` values are 32 lowercase hex characters, distinct from `xero_userid`. */
export function newSubject(random: EmulatorRandom): string {
  return random.bytes(16).toString("hex");
}
