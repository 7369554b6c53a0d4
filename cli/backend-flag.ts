import { ConfigError } from "../providers/errors";
import { parseBackendAddress, reservedPgSchemaProblem, type StateBackendAddress } from "../contract/state-address";

/**
 * `--backend local:<dir>|pg:<schema>` as an address, or CONFIG_INVALID. `showValue: false` for
 * commands that take secrets: `--backend` takes the next word whatever it is, so a secret pasted in
 * the wrong place lands here, and must not come back in the error.
 */
export function backendFromFlag(text: string, options: { showValue: boolean }): StateBackendAddress {
  const address = parseBackendAddress(text);
  if (address === undefined) {
    const given = options.showValue ? `, got ${text}` : "; the value given is not shown (it may be a secret). Example: --backend pg:cdktf_xero";
    throw new ConfigError(`--backend must be local:<dir> or pg:<schema> (schema: lower-case letters, digits, _)${given}`);
  }
  const reserved = address.type === "pg" ? reservedPgSchemaProblem(address.schema) : undefined;
  if (reserved !== undefined) throw new ConfigError(`--backend: ${reserved}`);
  return address;
}
