/**
 * PG_CONN_STR for the suites that need PostgreSQL. `npm test` sets it for every suite (a throwaway
 * server from test/global-setup.ts, or the PG_CONN_STR it was given), so a suite fails, never skips,
 * when it is missing: a run that lost its database cannot pass by running less.
 */
export function requirePostgres(): string {
  const value = process.env.PG_CONN_STR;
  if (value === undefined || value === "") {
    throw new Error(
      "PG_CONN_STR is not set: this suite needs PostgreSQL. Run it through `npm test` (or `npx jest`), whose global " +
        "setup starts a throwaway server, or set PG_CONN_STR to a database it may create schemas in.",
    );
  }
  return value;
}
