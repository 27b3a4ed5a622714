// @ts-check

/**
 * The platform audit: one row per run, and each run's per-entity results and
 * unclaimed repositories (deleted with their run).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ecr_audit_runs', table => {
    table.comment('Platform audit runs of the ECR plugin');
    table.string('id', 36).primary().comment('The run id (a UUID)');
    table
      .string('status', 16)
      .notNullable()
      .comment('running, complete or failed');
    table.string('trigger', 16).notNullable().comment('schedule or manual');
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('error').nullable().comment('Why a failed run failed');
    table
      .text('summary')
      .nullable()
      .comment('The counts of a complete run, as JSON (AuditSummary)');
    table.index(['status', 'started_at'], 'ecr_audit_runs_status_started_idx');
    table.index(['started_at'], 'ecr_audit_runs_started_idx');
  });

  await knex.schema.createTable('ecr_audit_entity_results', table => {
    table.comment('Each audited entity of a run, with its checks');
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('ecr_audit_runs')
      .onDelete('CASCADE');
    table.string('entity_ref', 512).notNullable();
    table.text('title').nullable();
    table
      .string('owner', 512)
      .nullable()
      .comment('spec.owner as an entity ref');
    table
      .text('repository_arns')
      .notNullable()
      .comment('The annotated repository ARNs, as a JSON array');
    table
      .text('checks')
      .notNullable()
      .comment('The checks, as a JSON array of { id, status, detail }');
    table.primary(['run_id', 'entity_ref']);
  });

  await knex.schema.createTable('ecr_audit_unclaimed', table => {
    table.comment('Repositories no entity claimed, per run');
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('ecr_audit_runs')
      .onDelete('CASCADE');
    table.string('arn', 512).notNullable();
    table.string('name', 256).notNullable();
    table.string('region', 32).notNullable();
    table.string('account_id', 12).notNullable();
    table.timestamp('created_at', { useTz: true }).nullable();
    table.primary(['run_id', 'arn']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ecr_audit_unclaimed');
  await knex.schema.dropTable('ecr_audit_entity_results');
  await knex.schema.dropTable('ecr_audit_runs');
};
