import { checkDocumentName } from "../contract/state-address";
import { ENV_NAME_PATTERN, SECRET_KEY_PATTERN, type SecretReference } from "../contract/spec-common";
import type { IConstruct } from "constructs";
import { fromStackDirectory } from "./paths";

const IS_XERO_SECRET = Symbol.for("cdktf-xero.XeroSecret");

/** Anything that owns a credential document, e.g. an `XeroAppRegistration`. */
export interface IXeroDocumentOwner {
  /** The document's name, `<stack>/<construct path>`. */
  readonly documentName: string;
}

type Source =
  | { readonly source: "env"; readonly name: unknown }
  | { readonly source: "file"; readonly path: unknown }
  | { readonly source: "state"; readonly document: unknown; readonly key: unknown };

/**
 * A reference to a secret the hooks read at run time. The value never enters synthesized output,
 * a plan, Terraform state or a process argument list.
 *
 * @example
 * clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET")
 */
export class XeroSecret {
  /** The variable `name` in the environment Terraform runs with (a pipeline secret variable). */
  static fromEnv(name: string): XeroSecret {
    return new XeroSecret({ source: "env", name });
  }

  /**
   * A file holding only the secret (a trailing newline is ignored).
   *
   * @param path relative to the project root (written relative to the stack directory); an absolute
   * path is kept as given and must exist where Terraform runs
   */
  static fromFile(path: string): XeroSecret {
    return new XeroSecret({ source: "file", path });
  }

  /**
   * The value stored under `key` in the encrypted `secrets` envelope of a credential document (for
   * example the current secret of a rotation), in the same state backend as the construct using it.
   *
   * @param document a document name (`<stack>/<construct path>`) or the construct owning it
   */
  static fromState(document: string | IXeroDocumentOwner, key: string): XeroSecret {
    const name = typeof document === "object" && document !== null ? (document as IXeroDocumentOwner).documentName : document;
    return new XeroSecret({ source: "state", document: name, key });
  }

  /** True for values made by the factories above (also across copies of this package). */
  static isXeroSecret(value: unknown): value is XeroSecret {
    return value !== null && typeof value === "object" && IS_XERO_SECRET in value;
  }

  private constructor(private readonly source: Source) {
    Object.defineProperty(this, IS_XERO_SECRET, { value: true });
  }

  /** Used by the constructs: the reference as the hooks will see it, or what is wrong. */
  bind(construct: IConstruct): { reference: SecretReference } | { problem: string } {
    const source = this.source;
    switch (source.source) {
      case "env":
        if (typeof source.name !== "string" || !ENV_NAME_PATTERN.test(source.name)) {
          return {
            problem: `${this} needs an environment variable name of letters, digits and "_", not starting with a digit, e.g. "XERO_CLIENT_SECRET"`,
          };
        }
        return { reference: { source: "env", name: source.name } };
      case "file":
        if (typeof source.path !== "string" || source.path.trim() === "") {
          return { problem: `${this} needs the path of the file holding the secret, e.g. "secrets/xero-client-secret"` };
        }
        return { reference: { source: "file", path: fromStackDirectory(construct, source.path) } };
      case "state": {
        const documentProblem =
          typeof source.document === "string" ? checkDocumentName(source.document) : "needs a document name or the construct owning it";
        if (documentProblem !== undefined) return { problem: `${this}: ${documentProblem}` };
        if (typeof source.key !== "string" || !SECRET_KEY_PATTERN.test(source.key)) {
          return { problem: `${this} needs a key of letters, digits, ".", "_" or "-" starting with a letter, e.g. "client_secret"` };
        }
        return { reference: { source: "state", document: source.document as string, key: source.key } };
      }
    }
  }

  toString(): string {
    const s = this.source;
    if (s.source === "env") return `XeroSecret.fromEnv(${show(s.name)})`;
    if (s.source === "file") return `XeroSecret.fromFile(${show(s.path)})`;
    return `XeroSecret.fromState(${show(s.document)}, ${show(s.key)})`;
  }
}

function show(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value) ?? String(value);
}
