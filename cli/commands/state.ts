import type { Command } from "commander";
import { ConfigError } from "../../providers/errors";
import {
  StateRekeyIncompleteError,
  openStateBackend,
  rekeyDocuments,
  summarizeDocuments,
  viewDocument,
  type DocumentSummary,
  type DocumentView,
  type HistoryEntry,
  type OpenStateBackendOptions,
  type RekeyReport,
  type StateBackend,
} from "../../providers/state";
import { DEFAULT_LOCAL_STATE_DIR, parseBackendAddress } from "../../spec/state-address";

/**
 * `cdktf-xero state list|show|history|rekey`: look into the credential state backend and re-encrypt it.
 * Each action parses its flags, calls a providers/state function and renders text or `--json`.
 */

export interface StateCommandDeps {
  readonly write: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly open: (address: Parameters<typeof openStateBackend>[0], options: OpenStateBackendOptions) => Promise<StateBackend>;
}

const defaultDeps = (): StateCommandDeps => ({
  write: (text) => process.stdout.write(text),
  env: process.env,
  cwd: process.cwd(),
  open: openStateBackend,
});

interface CommonFlags {
  backend: string;
  json: boolean;
}

const DEFAULT_BACKEND = `local:${DEFAULT_LOCAL_STATE_DIR}`;

export function registerStateCommand(program: Command, overrides: Partial<StateCommandDeps> = {}): void {
  const deps: StateCommandDeps = { ...defaultDeps(), ...overrides };
  const state = program
    .command("state")
    .description("inspect credential state documents, their history, and re-encrypt their secrets");

  const withBackend = async <T>(flags: CommonFlags, body: (backend: StateBackend) => Promise<T>): Promise<T> => {
    const address = parseBackendAddress(flags.backend);
    if (address === undefined) {
      throw new ConfigError(`--backend must be local:<dir> or pg:<schema> (schema: lower-case letters, digits, _), got ${flags.backend}`);
    }
    const backend = await deps.open(address, { env: deps.env, cwd: deps.cwd });
    try {
      return await body(backend);
    } finally {
      await backend.close();
    }
  };
  const common = (command: Command): Command =>
    command
      .option("--backend <address>", "state backend: local:<dir> or pg:<schema> (PG_CONN_STR / PG* for the connection)", DEFAULT_BACKEND)
      .option("--json", "print JSON instead of text", false);

  common(state.command("list"))
    .description("list the documents in the backend with their serials")
    .addHelpText("after", "\nExamples:\n  $ cdktf-xero state list\n  $ cdktf-xero state list --backend pg:cdktf_xero --json\n")
    .action(async (flags: CommonFlags) => {
      const summaries = await withBackend(flags, summarizeDocuments);
      deps.write(flags.json ? toJson(summaries) : renderList(summaries));
    });

  common(state.command("show"))
    .argument("<document>", "document name, e.g. billing/BillingApp")
    .option("--reveal", "print decrypted secrets instead of (sensitive)", false)
    .description("show a document's outputs; secrets are (sensitive) unless --reveal")
    .addHelpText("after", "\nExamples:\n  $ cdktf-xero state show billing/BillingApp\n  $ cdktf-xero state show billing/BillingApp --reveal --json\n")
    .action(async (name: string, flags: CommonFlags & { reveal: boolean }) => {
      const view = await withBackend(flags, (backend) => viewDocument(backend, name, { reveal: flags.reveal }));
      deps.write(flags.json ? toJson(view) : renderView(view));
    });

  common(state.command("history"))
    .argument("<document>", "document name, e.g. billing/BillingApp")
    .description("show every change of a document: when, who, serials, secret fingerprints")
    .addHelpText("after", "\nExamples:\n  $ cdktf-xero state history billing/BillingApp\n  $ cdktf-xero state history billing/BillingApp --json\n")
    .action(async (name: string, flags: CommonFlags) => {
      const history = await withBackend(flags, (backend) => backend.history(name));
      deps.write(flags.json ? toJson(history) : renderHistory(name, history));
    });

  common(state.command("rekey"))
    .description("re-encrypt every document's secrets with the first key of CDKTF_XERO_STATE_KEY's keyring")
    .addHelpText(
      "after",
      '\nExamples:\n  $ CDKTF_XERO_STATE_KEY="k2:$(openssl rand -base64 32),k1:$OLD_KEY" cdktf-xero state rekey\n  $ cdktf-xero state rekey --backend pg:cdktf_xero --json\n',
    )
    .action(async (flags: CommonFlags) => {
      const report = await withBackend(flags, (backend) => rekeyDocuments(backend));
      deps.write(flags.json ? toJson(rekeyJson(report)) : renderRekey(report));
      if (report.failed.length > 0) {
        throw new StateRekeyIncompleteError(report.failed.map(({ document, error }) => ({ document, code: error.code })));
      }
    });
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function renderList(summaries: readonly DocumentSummary[]): string {
  if (summaries.length === 0) return "no documents\n";
  const width = Math.max(...summaries.map((s) => s.name.length));
  return summaries
    .map((s) => {
      const detail = s.error !== undefined ? `${s.error.code}: ${s.error.message}` : `serial ${s.serial ?? "?"}${s.retired === true ? "  retired" : ""}`;
      return `${s.name.padEnd(width)}  ${detail}\n`;
    })
    .join("");
}

function renderView(view: DocumentView): string {
  const lines = [
    `${view.name} (${view.backend})`,
    `serial   ${view.serial}`,
    `lineage  ${view.lineage}`,
    ...(view.retired ? ["retired  yes"] : []),
    "outputs:",
  ];
  for (const [key, value] of Object.entries(view.outputs)) {
    if (typeof value === "object" && !Array.isArray(value) && key === "secrets") {
      lines.push(`  ${key}:`);
      for (const [secret, plain] of Object.entries(value)) lines.push(`    ${secret} = ${JSON.stringify(plain)}`);
    } else {
      lines.push(`  ${key} = ${value === "(sensitive)" ? value : JSON.stringify(value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function renderHistory(name: string, history: readonly HistoryEntry[]): string {
  if (history.length === 0) return `no history for ${name}\n`;
  return history
    .map((entry) => {
      const serials = `${entry.serialBefore ?? "-"} -> ${entry.serialAfter ?? "-"}`;
      const fingerprints = Object.entries(entry.secretFingerprints ?? {})
        .map(([secret, fingerprint]) => `${secret}=${fingerprint}`)
        .join(" ");
      return `${entry.at}  ${entry.action.padEnd(7)}  ${serials.padEnd(9)}  ${entry.actor} pid ${entry.pid}${fingerprints === "" ? "" : `  ${fingerprints}`}\n`;
    })
    .join("");
}

function rekeyJson(report: RekeyReport): unknown {
  return {
    rekeyed: report.rekeyed,
    unchanged: report.unchanged,
    failed: report.failed.map(({ document, error }) => ({ document, code: error.code, message: error.message })),
  };
}

function renderRekey(report: RekeyReport): string {
  const lines = [
    ...report.rekeyed.map((r) => `rekeyed    ${r.document}  ${r.fromKid} -> ${r.toKid}`),
    ...report.unchanged.map((name) => `unchanged  ${name}`),
    ...report.failed.map(({ document, error }) => `failed     ${document}  ${error.code}: ${error.message}`),
  ];
  return lines.length === 0 ? "no documents\n" : `${lines.join("\n")}\n`;
}
