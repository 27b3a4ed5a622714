import { CustomErrorBase } from '@backstage/errors';
import {
  awsErrorCode,
  deniedAction,
  isAccessDenied,
  toAwsError,
} from './errors';

/**
 * What one AWS call found out: its value, or that AWS refused Backstage's
 * identity the action, so that whatever depends on it can say which IAM action
 * Backstage needs while everything else still answers.
 */
export type Fact<T> =
  | { ok: true; value: T }
  | { ok: false; deniedAction: string; awsCode: string };

/**
 * Runs one AWS call for a request that cannot do without it: any failure
 * becomes an error with the HTTP status of DESIGN §5.
 */
export async function callAws<T>(
  action: string,
  resource: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Errors already in Backstage's terms (e.g. NotFoundError) pass unchanged.
    if (error instanceof CustomErrorBase) throw error;
    throw toAwsError(error, action, resource);
  }
}

/**
 * Runs one AWS call that gathers a fact: a refusal of Backstage's identity
 * becomes a denied fact; throttling and other failures still fail the request.
 */
export async function gatherFact<T>(
  action: string,
  resource: string | undefined,
  call: () => Promise<T>,
): Promise<Fact<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof CustomErrorBase) throw error;
    if (isAccessDenied(error)) {
      return {
        ok: false,
        deniedAction: deniedAction(error, action),
        awsCode: awsErrorCode(error),
      };
    }
    throw toAwsError(error, action, resource);
  }
}
