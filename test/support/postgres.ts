/**
 * PG_CONN_STR for the suites that need PostgreSQL: required. They fail, never skip, without it, so a
 * CI run that lost its database cannot pass by running less.
 */
export function requirePostgres(): string {
  const value = process.env.PG_CONN_STR;
  if (value === undefined || value === "") {
    throw new Error(
      "PG_CONN_STR is not set: this suite needs PostgreSQL. Start a throwaway server with " +
        "`source .ci/postgres.sh && start_postgres` (it exports PG_CONN_STR); .ci/run does this in CI.",
    );
  }
  return value;
}
