import { SetupCheck } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { describeFailure, sentence } from '../aws/call';
import { factUnknown, result } from './checkResult';

/** `not-root-credentials`: Backstage's AWS identity is not an account root user. */
export function checkNotRootCredentials(facts: SetupFacts): SetupCheck {
  const identities = facts.callerIdentities;
  if (!identities.length) {
    return result(
      'not-root-credentials',
      'unknown',
      'No AWS account was used, so the identity was not checked.',
    );
  }
  const roots = identities.filter(
    i => i.identity.ok && i.identity.value.arn.endsWith(':root'),
  );
  if (roots.length) {
    return result(
      'not-root-credentials',
      'fail',
      `Backstage uses the root user of account ${roots
        .map(r => r.accountId)
        .join(', ')}: a leaked key would give full control of the account.`,
      {
        remedy:
          'Create an IAM role (or user) with only the permissions Backstage needs (see the ECR backend plugin README), configure it in the aws section, and delete the root access keys (IAM console > Security credentials).',
      },
    );
  }
  const failed = identities.flatMap(i =>
    i.identity.ok ? [] : [{ accountId: i.accountId, fact: i.identity }],
  );
  if (failed.length) {
    return factUnknown(
      'not-root-credentials',
      failed.map(f => f.fact),
      `${sentence(
        failed
          .map(f => describeFailure(f.fact, `account ${f.accountId}`))
          .join('; '),
      )}, so Backstage cannot tell which identity it uses${
        failed.length === 1 && identities.length === 1
          ? ''
          : ` in ${failed.length === 1 ? 'that account' : 'those accounts'}`
      }.`,
    );
  }
  // Say what kind of identity it is, not its name: the answer goes to every
  // reader of the entity.
  return result(
    'not-root-credentials',
    'pass',
    identities
      .map(i =>
        i.identity.ok
          ? `In account ${
              i.accountId
            } Backstage signs its AWS calls as ${principalKind(
              i.identity.value.arn,
            )}, not as the root user.`
          : '',
      )
      .join(' '),
  );
}

/** "an IAM user", "an assumed IAM role", … from a caller ARN. */
export function principalKind(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (resource.startsWith('user/')) return 'an IAM user';
  if (resource.startsWith('assumed-role/')) return 'an assumed IAM role';
  if (resource.startsWith('role/')) return 'an IAM role';
  if (resource.startsWith('federated-user/')) return 'a federated user';
  return 'an IAM principal';
}
