import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

/**
 * The PostgreSQL versions the store is tested against when a server is given
 * (Backstage's variable `BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING`,
 * e.g. `postgresql://postgres@127.0.0.1:55432`, which scripts/test.sh sets for
 * Debian's own server).
 */
const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

function connectionVariable(id: TestDatabaseId): string {
  return `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`;
}

/** The PostgreSQL ids whose server is given; never a Docker container. */
export function givenPostgresIds(): TestDatabaseId[] {
  return POSTGRES_IDS.filter(id => process.env[connectionVariable(id)]);
}

/**
 * SQLite always, and PostgreSQL where a server is given. Without one the
 * PostgreSQL case is reported as skipped, with the variable to set.
 */
export function createAuditTestDatabases(): {
  databases: TestDatabases;
  ids: TestDatabaseId[];
} {
  const postgres = givenPostgresIds();
  const ids: TestDatabaseId[] = ['SQLITE_3', ...postgres];
  // Only the servers named here: Backstage would otherwise start Docker
  // containers for PostgreSQL when CI is set.
  const databases = TestDatabases.create({ ids, disableDocker: true });
  return { databases, ids };
}

/** Why the PostgreSQL case did not run, and how to run it. */
export function postgresSkipReason(): string | undefined {
  if (givenPostgresIds().length > 0) return undefined;
  return `against PostgreSQL: skipped, no server given (set ${connectionVariable(
    'POSTGRES_15',
  )} or another BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING, as scripts/test.sh does)`;
}
