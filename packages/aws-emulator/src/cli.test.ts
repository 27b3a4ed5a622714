import { parseArgs } from './cli';

describe('parseArgs', () => {
  it('reads every option', () => {
    expect(
      parseArgs([
        '--port',
        '0',
        '--host=0.0.0.0',
        '--seed',
        'seed.yaml',
        '--latency-ms',
        '20',
        '--throttle-rate',
        '0.1',
        '--error-rate',
        '0.05',
        '--build-duration-ms',
        '0',
        '--generate-images',
        '10000',
        '--verbose',
      ]),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      seed: 'seed.yaml',
      latencyMs: 20,
      throttleRate: 0.1,
      errorRate: 0.05,
      buildDurationMs: 0,
      generateImages: 10000,
      verbose: true,
    });
  });

  it('asks for help', () => {
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('refuses unknown options', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow('unknown option --prot');
  });

  it('refuses a port that is not a number', () => {
    expect(() => parseArgs(['--port', 'http'])).toThrow(
      '--port needs a number ≥ 0',
    );
  });
});
