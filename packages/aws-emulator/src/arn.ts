import { createHash } from 'crypto';

/** ARNs, URIs and the unique ids AWS gives entities, built one way everywhere. */

export function repositoryArn(
  region: string,
  account: string,
  name: string,
): string {
  return `arn:aws:ecr:${region}:${account}:repository/${name}`;
}

export function registryHost(region: string, account: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

export function repositoryUri(
  region: string,
  account: string,
  name: string,
): string {
  return `${registryHost(region, account)}/${name}`;
}

export function roleArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:role${path}${name}`;
}

export function userArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:user${path}${name}`;
}

export function rootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

export function policyArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:policy${path}${name}`;
}

/** Role sessions are named without the role's path, as STS names them. */
export function assumedRoleArn(
  account: string,
  role: string,
  session: string,
): string {
  return `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
}

export function projectArn(
  region: string,
  account: string,
  name: string,
): string {
  return `arn:aws:codebuild:${region}:${account}:project/${name}`;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    account: parts[4],
    resource: parts.slice(5).join(':'),
  };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * AWS-style unique ids (`AIDA…` users, `AROA…` roles, `ANPA…` policies): the prefix and 17
 * characters derived from the entity's ARN, so the same seed always yields the same ids.
 */
export function uniqueId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; i < 17; i++) id += BASE32[digest[i] % 32];
  return id;
}
