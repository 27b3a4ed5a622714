import { PolicyDocumentFacts, PolicyStatementFacts } from '../setup/facts';

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** IAM action matching: case-insensitive, `*` any run, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

function statements(document: PolicyDocumentFacts): PolicyStatementFacts[] {
  const s = document.Statement;
  if (!s) return [];
  return Array.isArray(s) ? s : [s];
}

/**
 * Which of `actions` a policy document allows in some statement (ignoring
 * conditions and resources: the question is whether the policy is used to
 * grant them at all).
 */
export function actionsGranted(
  document: PolicyDocumentFacts,
  actions: readonly string[],
): string[] {
  const granted = new Set<string>();
  for (const statement of statements(document)) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of actions) {
      const byAction = list(statement.Action).some(p =>
        actionMatches(p, action),
      );
      const byNotAction =
        statement.NotAction !== undefined &&
        !list(statement.NotAction).some(p => actionMatches(p, action));
      if (byAction || byNotAction) granted.add(action);
    }
  }
  return actions.filter(a => granted.has(a));
}
