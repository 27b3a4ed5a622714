// The benchmark is a development script, run from source and never shipped: it may use the
// SDK from devDependencies.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { spawn } from 'child_process';
import { performance } from 'perf_hooks';
import { resolve } from 'path';
import { startEmulator } from './index';

/**
 * `yarn bench`: how fast the emulator starts with the demo seed, and how long each
 * DescribeImages page of 1,000 takes over a generated 10,000-image repository.
 * Targets: start under 1 s; each page well under 50 ms.
 */

const IMAGES = 10_000;
const PASSES = 5;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Spawns the CLI as a user would and waits for its "listening" line. */
function cliStartup(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        // eslint-disable-next-line no-restricted-syntax
        resolve(__dirname, 'cli.ts'),
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        const elapsed = performance.now() - started;
        child.kill('SIGTERM');
        resolvePromise(elapsed);
      }
    });
    child.on('error', reject);
    child.on('exit', code => {
      if (code) reject(new Error(`the CLI exited with ${code}`));
    });
  });
}

async function main() {
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const emulator = await startEmulator({ port: 0 });
    starts.push(performance.now() - started);
    await emulator.stop();
  }
  process.stdout.write(
    `startEmulator with the demo seed: first ${ms(starts[0])}, median ${ms(
      percentile(starts, 50),
    )}\n`,
  );
  process.stdout.write(
    `CLI process start to ready (demo seed): ${ms(await cliStartup())}\n`,
  );

  const started = performance.now();
  const serverTimes: number[] = [];
  const emulator = await startEmulator({
    port: 0,
    generate: [{ repository: 'bench-10k', images: IMAGES }],
    // The emulator logs how long it took to answer each call.
    log: line => {
      const m = /^ecr:DescribeImages 200 ([\d.]+)ms$/.exec(line);
      if (m) serverTimes.push(Number(m[1]));
    },
  });
  process.stdout.write(
    `startEmulator with the demo seed and ${IMAGES} generated images: ${ms(
      performance.now() - started,
    )}\n`,
  );
  const ecr = new ECRClient({
    endpoint: emulator.url,
    region: 'eu-west-2',
    credentials: {
      accessKeyId: 'AKIAEMULATORBACKSTAGE',
      secretAccessKey: 'emulator-backstage-secret',
    },
  });
  const pages: number[] = [];
  try {
    for (let pass = 0; pass <= PASSES; pass++) {
      let nextToken: string | undefined;
      let count = 0;
      do {
        const t0 = performance.now();
        const page = await ecr.send(
          new DescribeImagesCommand({
            repositoryName: 'bench-10k',
            maxResults: 1000,
            nextToken,
          }),
        );
        // The first pass warms up connections and JIT; it is not measured.
        if (pass > 0) pages.push(performance.now() - t0);
        count += page.imageDetails?.length ?? 0;
        nextToken = page.nextToken;
      } while (nextToken);
      if (count !== IMAGES)
        throw new Error(`paged through ${count} images, not ${IMAGES}`);
    }
  } finally {
    ecr.destroy();
    await emulator.stop();
  }
  const answered = serverTimes.slice(serverTimes.length - pages.length);
  process.stdout.write(
    `DescribeImages, maxResults 1000, over ${IMAGES} images (${pages.length} pages):\n` +
      `  answered by the emulator: median ${ms(
        percentile(answered, 50),
      )}, p95 ${ms(percentile(answered, 95))}\n` +
      `  SDK round trip (incl. parsing): median ${ms(
        percentile(pages, 50),
      )}, p95 ${ms(percentile(pages, 95))}, max ${ms(Math.max(...pages))}\n`,
  );
}

main().catch(e => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
