// @ts-check

/**
 * The latest build in the platform audit: each entity's newest CodeBuild
 * build (id, status and diagnosis), as JSON. The run's count of services
 * whose latest build failed on a push permission is part of its summary.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ecr_audit_entity_results', table => {
    table
      .text('latest_build')
      .nullable()
      .comment("The newest build of the entity's CodeBuild project, as JSON");
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ecr_audit_entity_results', table => {
    table.dropColumn('latest_build');
  });
};
