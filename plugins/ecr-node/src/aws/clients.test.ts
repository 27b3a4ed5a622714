import { AwsClients } from './clients';

const credentialsManager = {
  getCredentialProvider: jest.fn(async () => ({
    sdkCredentialProvider: async () => ({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret',
    }),
  })),
};

describe('AwsClients', () => {
  it('creates one client per service, account and region, and reuses it', () => {
    const clients = new AwsClients(credentialsManager);
    const a = clients.ecr('123412341234', 'eu-west-2');
    expect(clients.ecr('123412341234', 'eu-west-2')).toBe(a);
    expect(clients.ecr('123412341234', 'us-east-1')).not.toBe(a);
    expect(clients.ecr('210987654321', 'eu-west-2')).not.toBe(a);
    expect(clients.iam('123412341234')).toBe(clients.iam('123412341234'));
    clients.destroy();
  });

  it('points every client at the configured endpoint', async () => {
    const clients = new AwsClients(credentialsManager, {
      endpoint: 'http://127.0.0.1:4566',
      maxAttempts: 2,
    });
    for (const client of [
      clients.ecr('123412341234', 'eu-west-2'),
      clients.iam('123412341234'),
      clients.sts('123412341234', 'eu-west-2'),
      clients.codeBuild('123412341234', 'eu-west-2'),
    ]) {
      const endpoint = await client.config.endpoint!();
      expect(endpoint.hostname).toBe('127.0.0.1');
      expect(endpoint.port).toBe(4566);
      expect(await client.config.maxAttempts()).toBe(2);
    }
    clients.destroy();
  });

  it('signs IAM in the partition’s global region', async () => {
    const clients = new AwsClients(credentialsManager);
    expect(await clients.iam('123412341234', 'aws').config.region()).toBe(
      'us-east-1',
    );
    expect(await clients.iam('123412341234', 'aws-cn').config.region()).toBe(
      'cn-north-1',
    );
    clients.destroy();
  });

  it('asks integration-aws-node for the account’s credentials', async () => {
    const clients = new AwsClients(credentialsManager);
    const credentials = await clients
      .ecr('123412341234', 'eu-west-2')
      .config.credentials();
    expect(credentials.accessKeyId).toBe('AKIAEXAMPLE');
    expect(credentialsManager.getCredentialProvider).toHaveBeenCalledWith({
      accountId: '123412341234',
    });
    clients.destroy();
  });

  it('explains a missing account without leaking the provider’s error', async () => {
    const clients = new AwsClients({
      getCredentialProvider: async () => {
        throw new Error(
          'There is no AWS integration that matches 999999999999. Please add a configuration for this AWS account.',
        );
      },
    });
    await expect(
      clients.ecr('999999999999', 'eu-west-2').config.credentials(),
    ).rejects.toMatchObject({
      statusCode: 502,
      message:
        'Backstage has no AWS credentials for account 999999999999; add it to aws.accounts in the configuration',
    });
    clients.destroy();
  });
});
