export * from "./backend";
export * from "./document";
export * from "./errors";
export * from "./history";
export { DEFAULT_STATE_KEY_FILE, STATE_KEY_ENV, STATE_KEY_FILE_ENV, deriveKid, parseKeyring, type Keyring, type StateKey } from "./keyring";
export * from "./logger";
export * from "./open";
export { fingerprintSecrets, openEnvelope, parseEnvelope, sealSecrets, type SecretValues, type SecretsEnvelope } from "./secrets";
export { DEFAULT_STALE_LOCK_AFTER_MS } from "./local/local-store";
