import { DEFAULT_LOCAL_STATE_DIR, PG_SCHEMA_PATTERN, reservedPgSchemaProblem, type StateBackendAddress } from "../contract/state-address";
import type { IConstruct } from "constructs";
import { fromStackDirectory } from "./paths";

const IS_XERO_STATE = Symbol.for("cdktf-xero.XeroState");

/** Options of {@link XeroState.postgres}. */
export interface XeroPostgresStateOptions {
  /**
   * The PostgreSQL schema holding Terraform's pg-backend `states` table, one row per document.
   * The connection comes from `PG_CONN_STR` (or the libpq variables) when Terraform and the hooks
   * run: nothing about it is synthesized.
   */
  readonly schema: string;
}

/**
 * Where a construct's credential documents live. Choose one per construct (`state` prop) or per
 * stack ({@link XeroStackDefaults}); without either, documents go to the local directory
 * `.cdktf-xero/state` in the project.
 *
 * @example
 * XeroState.local(".cdktf-xero/state")
 * XeroState.postgres({ schema: "cdktf_xero" })
 */
export class XeroState {
  /**
   * One `.tfstate` file per document under `dir`.
   *
   * @param dir relative to the project root (where `cdktf synth` runs); written into cdk.tf.json
   * relative to the stack directory. An absolute path is kept as given and must exist where
   * Terraform runs.
   * @default ".cdktf-xero/state"
   */
  static local(dir: string = DEFAULT_LOCAL_STATE_DIR): XeroState {
    return new XeroState({ type: "local", dir });
  }

  /** Terraform's pg backend layout: one row ("workspace") per document in `<schema>.states`. */
  static postgres(options: XeroPostgresStateOptions): XeroState {
    return new XeroState({ type: "pg", schema: (options as Partial<XeroPostgresStateOptions> | undefined)?.schema });
  }

  /** True for values made by the factories above (also across copies of this package). */
  static isXeroState(value: unknown): value is XeroState {
    return value !== null && typeof value === "object" && IS_XERO_STATE in value;
  }

  private constructor(private readonly source: { type: "local"; dir: unknown } | { type: "pg"; schema: unknown }) {
    Object.defineProperty(this, IS_XERO_STATE, { value: true });
  }

  /** Used by the constructs: the address as the hooks and Terraform will see it, or what is wrong. */
  bind(construct: IConstruct): { address: StateBackendAddress } | { problem: string } {
    if (this.source.type === "local") {
      const dir = this.source.dir;
      if (typeof dir !== "string" || dir.trim() === "") {
        return { problem: `${this} needs a directory, e.g. XeroState.local(".cdktf-xero/state")` };
      }
      return { address: { type: "local", dir: fromStackDirectory(construct, dir) } };
    }
    const schema = this.source.schema;
    if (typeof schema !== "string" || !PG_SCHEMA_PATTERN.test(schema)) {
      return {
        problem: `${this} needs a schema name of lower-case letters, digits and "_" (at most 63, not starting with a digit), e.g. "cdktf_xero"`,
      };
    }
    const reserved = reservedPgSchemaProblem(schema);
    if (reserved !== undefined) return { problem: `${this}: ${reserved}` };
    return { address: { type: "pg", schema } };
  }

  toString(): string {
    return this.source.type === "local"
      ? `XeroState.local(${JSON.stringify(this.source.dir)})`
      : `XeroState.postgres({ schema: ${JSON.stringify(this.source.schema)} })`;
  }
}
