// @ts-check

/**
 * Ownership in the platform audit: who each named resource belongs to, who
 * each unclaimed repository's tags bind it to, and the run's ownership flags
 * (shared repositories, foreign claims, orphan bindings).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ecr_audit_runs', table => {
    table
      .text('ownership')
      .nullable()
      .comment('The ownership flags of a complete run, as JSON');
  });
  await knex.schema.alterTable('ecr_audit_entity_results', table => {
    table
      .text('bindings')
      .nullable()
      .comment('Who each named repository and role belongs to, as JSON');
  });
  await knex.schema.alterTable('ecr_audit_unclaimed', table => {
    table
      .string('bound_to', 512)
      .nullable()
      .comment('The entity or owner its tags name, if any');
    table
      .boolean('orphaned')
      .nullable()
      .comment('True when its entity-ref tag names no catalog entity');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ecr_audit_unclaimed', table => {
    table.dropColumn('orphaned');
    table.dropColumn('bound_to');
  });
  await knex.schema.alterTable('ecr_audit_entity_results', table => {
    table.dropColumn('bindings');
  });
  await knex.schema.alterTable('ecr_audit_runs', table => {
    table.dropColumn('ownership');
  });
};
