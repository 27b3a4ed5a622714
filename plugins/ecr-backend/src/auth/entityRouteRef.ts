import { CompoundEntityRef, makeValidator } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

const validator = makeValidator();

/**
 * The entity named by a route's `:namespace/:kind/:name`, checked against the
 * catalog's naming rules (which also bound their length) before anything is
 * looked up.
 */
export function entityRouteRef(params: {
  namespace?: string;
  kind?: string;
  name?: string;
}): CompoundEntityRef {
  const namespace = params.namespace ?? '';
  const kind = params.kind ?? '';
  const name = params.name ?? '';
  const problems: string[] = [];
  if (!validator.isValidNamespace(namespace.toLocaleLowerCase('en-US'))) {
    problems.push('the namespace is not a valid entity namespace');
  }
  if (!validator.isValidKind(kind)) {
    problems.push('the kind is not a valid entity kind');
  }
  if (!validator.isValidEntityName(name)) {
    problems.push('the name is not a valid entity name');
  }
  if (problems.length) {
    throw new InputError(`Invalid entity reference: ${problems.join('; ')}`);
  }
  return { namespace, kind, name };
}
