import { startEmulator } from './index';

/**
 * `aws-emulator [--port 4566] [--host 127.0.0.1] [--seed demo.yaml] [--latency-ms N]
 * [--throttle-rate R] [--error-rate R] [--build-duration-ms N]
 * [--generate-images N [--generate-repository NAME]] [--verbose]`: runs the emulator until interrupted, printing one line with its URL once ready.
 */

const USAGE = `Usage: aws-emulator [options]

  --port N                 port to listen on (default 4566; 0 picks a free one)
  --host ADDRESS           address to listen on (default 127.0.0.1)
  --seed FILE              seed file (default: examples/aws-emulator/demo.yaml)
  --latency-ms N           added latency per AWS call
  --throttle-rate R        share of calls (0-1) answered with throttling errors
  --error-rate R           share of calls (0-1) answered with server errors
  --build-duration-ms N    how long a CodeBuild build runs (default 1500)
  --generate-images N      add a repository with N generated images
  --generate-repository R  its name (default bench-N)
  --verbose                print one line per request
  --help                   show this text`;

interface CliOptions {
  port?: number;
  host?: string;
  seed?: string;
  latencyMs?: number;
  throttleRate?: number;
  errorRate?: number;
  buildDurationMs?: number;
  generateImages?: number;
  generateRepository?: string;
  verbose: boolean;
}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const options: CliOptions = { verbose: false };
  const numberOf = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n) || n < 0) {
      throw new Error(`${flag} needs a number ≥ 0`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? arg.split(/=(.*)/s, 2)
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        options.port = numberOf(flag, value());
        break;
      case '--host':
        options.host = value();
        break;
      case '--seed':
        options.seed = value();
        break;
      case '--latency-ms':
        options.latencyMs = numberOf(flag, value());
        break;
      case '--throttle-rate':
        options.throttleRate = numberOf(flag, value());
        break;
      case '--error-rate':
        options.errorRate = numberOf(flag, value());
        break;
      case '--build-duration-ms':
        options.buildDurationMs = numberOf(flag, value());
        break;
      case '--generate-images':
        options.generateImages = numberOf(flag, value());
        break;
      case '--generate-repository':
        options.generateRepository = value();
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}

/** Runs the CLI with `process.argv`; `bin/aws-emulator` calls it. */
export async function main() {
  let options: CliOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`aws-emulator: ${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const emulator = await startEmulator({
    port: options.port,
    host: options.host,
    seed: options.seed,
    latencyMs: options.latencyMs,
    throttleRate: options.throttleRate,
    errorRate: options.errorRate,
    buildDurationMs: options.buildDurationMs,
    generate: options.generateImages
      ? [
          {
            repository:
              options.generateRepository ?? `bench-${options.generateImages}`,
            images: options.generateImages,
          },
        ]
      : undefined,
    log: options.verbose
      ? line => process.stderr.write(`${line}\n`)
      : undefined,
  });
  process.stdout.write(`aws-emulator listening on ${emulator.url}\n`);
  const shutdown = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

export function run() {
  main().catch(e => {
    process.stderr.write(`aws-emulator: ${(e as Error).message}\n`);
    process.exit(1);
  });
}

if (require.main === module) run();
