import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { CommonOutputs } from "../../contract/document-codec";
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
import { DEFAULT_LOCAL_STATE_DIR } from "../../contract/state-address";
import { backendFromFlag } from "../backend-flag";

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

  /** Opens the backend for `body`; only `state init` may create it (the others would turn a typo into a new backend). */
  const withBackend = async <T>(flags: CommonFlags, body: (backend: StateBackend) => Promise<T>, createIfMissing = false): Promise<T> => {
    const address = backendFromFlag(flags.backend, { showValue: true });
    const backend = await deps.open(address, { env: deps.env, cwd: deps.cwd, createIfMissing });
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

  common(state.command("init"))
    .description("create the backend if it does not exist: the local directory, or the pg schema and its tables")
    .addHelpText(
      "after",
      "\nThe hooks create the backend on a deploy's first write; this is for a schema dropped since, or prepared ahead.\n" +
        "\nExamples:\n  $ cdktf-xero state init --backend pg:cdktf_xero\n  $ cdktf-xero state init --backend local:.cdktf-xero/state --json\n",
    )
    .action(async (flags: CommonFlags) => {
      const address = backendFromFlag(flags.backend, { showValue: true });
      const label = await withBackend(
        flags,
        async (backend) => {
          // Opening made the pg schema and tables; a local directory is otherwise made on the first write.
          if (address.type === "local") await fs.mkdir(path.resolve(deps.cwd, address.dir), { recursive: true });
          return backend.label;
        },
        true,
      );
      deps.write(flags.json ? toJson({ backend: label, ready: true }) : `state backend ${label} is ready\n`);
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

/** Columns padded to their widest cell (header included), the last one not padded; no trailing spaces. */
function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [headers, ...rows].map((cells) => `${line(cells)}\n`).join("");
}

function renderList(summaries: readonly DocumentSummary[]): string {
  if (summaries.length === 0) return "no documents\n";
  return renderTable(
    ["DOCUMENT", "SERIAL", "STATUS"],
    summaries.map((s) => [
      s.name,
      s.error !== undefined ? "?" : String(s.serial ?? "?"),
      s.error !== undefined ? `${s.error.code}: ${s.error.message}` : s.retired === true ? "retired" : "",
    ]),
  );
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
    if (typeof value === "object" && !Array.isArray(value) && key === CommonOutputs.names.secrets) {
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
  return renderTable(
    ["AT", "ACTION", "SERIALS", "BY", "SECRET FINGERPRINTS"],
    history.map((entry) => [
      entry.at,
      entry.action,
      `${entry.serialBefore ?? "-"} -> ${entry.serialAfter ?? "-"}`,
      `${entry.actor} pid ${entry.pid}`,
      Object.entries(entry.secretFingerprints ?? {})
        .map(([secret, fingerprint]) => `${secret}=${fingerprint}`)
        .join(" "),
    ]),
  );
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
