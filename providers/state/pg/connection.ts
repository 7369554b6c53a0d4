import type { ClientConfig } from "pg";
import { ConfigError } from "../../errors";

/**
 * Where the pg backend connects, taken from the environment the backend was opened with: hooks and
 * tests inject their own, and the pg library would otherwise read libpq's PG* variables from
 * `process.env` alone.
 *
 * PG_CONN_STR, when set, is used as it is. Otherwise PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
 * and PGSSLMODE are. A variable that is unset (or empty) is left out of the config, so pg's own
 * defaults still apply to it (libpq's: the same variable in `process.env`, then localhost:5432 and
 * the login user).
 *
 * Errors name the variable and, except for PGPASSWORD (which is never checked or echoed), its value.
 */
export function pgConnectionConfig(env: Readonly<Record<string, string | undefined>>): ClientConfig {
  const connectionString = set(env.PG_CONN_STR);
  if (connectionString !== undefined) return { connectionString };
  const host = set(env.PGHOST);
  const port = set(env.PGPORT);
  const user = set(env.PGUSER);
  const password = set(env.PGPASSWORD);
  const database = set(env.PGDATABASE);
  const sslMode = set(env.PGSSLMODE);
  return {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port: parsePort(port) }),
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(database === undefined ? {} : { database }),
    ...(sslMode === undefined ? {} : { ssl: sslFor(sslMode) }),
  };
}

function set(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new ConfigError(
      `PGPORT is ${JSON.stringify(text)}, which is not a TCP port. Set PGPORT to the PostgreSQL server's port (1-65535), ` +
        `or unset it to use 5432.`,
      { context: { variable: "PGPORT", value: text } },
    );
  }
  return port;
}

/**
 * The modes pg understands, mapped as pg maps them when it reads PGSSLMODE itself; `allow` is
 * plain like pg's default. An unknown mode is an error rather than pg's silent "no SSL", so a typo
 * never turns encryption off.
 */
const SSL_MODES: Readonly<Record<string, ClientConfig["ssl"]>> = {
  disable: false,
  allow: false,
  prefer: true,
  require: true,
  "verify-ca": true,
  "verify-full": true,
  "no-verify": { rejectUnauthorized: false },
};

function sslFor(mode: string): ClientConfig["ssl"] {
  if (!Object.prototype.hasOwnProperty.call(SSL_MODES, mode)) {
    throw new ConfigError(
      `PGSSLMODE is ${JSON.stringify(mode)}, which is not an SSL mode. Set PGSSLMODE to one of ` +
        `${Object.keys(SSL_MODES).join(", ")}, or unset it.`,
      { context: { variable: "PGSSLMODE", value: mode } },
    );
  }
  return SSL_MODES[mode];
}
