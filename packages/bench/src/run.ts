import { performance } from 'perf_hooks';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'zlib';
import { Emulator, startEmulator } from '@backstage-ecr/aws-emulator';
import { Entity } from '@backstage/catalog-model';
import { ImagesResponse } from '@backstage-ecr/plugin-ecr-common';
import { benchAudit } from './audit';
import { baselineImages } from './baseline';
import { printBrowserRun } from './browserRun';
import { BenchBackend, startBenchBackend } from './backend';
import { kib, median, mib, ms, spread, table } from './stats';

/**
 * `yarn bench`: the ECR backend plugin against the emulator with 20 ms added
 * to every AWS call, beside the access pattern of the AWS-published ECR plugin
 * over the same SDK and emulator. Everything listens on loopback, every loop is
 * bounded, and the script stops what it started.
 */

const LATENCY_MS = 20;
const SIZES = [100, 1_000, 10_000];
const AUDIT_THROTTLE_RATE = 0.1;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ACCOUNT = '123412341234';
const REGION = 'eu-west-2';
const CREDENTIALS = {
  accessKeyId: 'AKIAEMULATORBACKSTAGE',
  secretAccessKey: 'emulator-backstage-secret',
};

const repoArn = (name: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

function component(
  name: string,
  annotations: Record<string, string>,
  owner = 'team-a',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

const ENTITIES: Entity[] = [
  ...SIZES.map(n =>
    component(`bench-${n}`, {
      'aws.amazon.com/amazon-ecr-arn': repoArn(`bench-${n}`),
    }),
  ),
  // The demo seed's complete setup, team-b's as in the demo: every check has
  // something to look at.
  component(
    'payments-api',
    {
      'aws.amazon.com/amazon-ecr-arn': repoArn('payments-api'),
      'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/codebuild-payments-api`,
    },
    'team-b',
  ),
  // The demo seed's failing builds: the builds route reads their logs too.
  component('proof-of-concept', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('proof-of-concept-repo'),
    'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/codebuild-proof-of-concept-snapshot`,
  }),
];

function out(line = '') {
  process.stdout.write(`${line}\n`);
}

function gcAndMemory() {
  (global as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function describeImagesCalls(emulator: Emulator): number {
  return emulator.calls()['ecr:DescribeImages'] ?? 0;
}

function totalCalls(emulator: Emulator): number {
  return Object.values(emulator.calls()).reduce((a, b) => a + b, 0);
}

/** Where the newest image sits in the emulator's storage (= listing) order. */
function storedImages(emulator: Emulator, name: string) {
  const images = emulator.state.accounts
    .get(ACCOUNT)
    ?.registries.get(REGION)
    ?.repositories.get(name)?.images;
  if (!images) throw new Error(`the emulator has no repository ${name}`);
  return images;
}

function newestIndex(emulator: Emulator, name: string): number {
  const images = storedImages(emulator, name);
  let newest = 0;
  images.forEach((image, i) => {
    if (image.pushedAt > images[newest].pushedAt) newest = i;
  });
  return newest;
}

interface Sample {
  times: number[];
  describeImages: number[];
  calls: number[];
}

const emptySample = (): Sample => ({
  times: [],
  describeImages: [],
  calls: [],
});

/** Times one request; the AWS calls it made are read from the emulator's counters. */
async function measure<T>(
  emulator: Emulator,
  sample: Sample,
  request: () => Promise<T>,
): Promise<T> {
  emulator.resetCalls();
  const started = performance.now();
  const result = await request();
  sample.times.push(performance.now() - started);
  sample.describeImages.push(describeImagesCalls(emulator));
  sample.calls.push(totalCalls(emulator));
  return result;
}

// What Chromium sends: the server may answer in any of these.
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

type RawAnswer = Awaited<ReturnType<BenchBackend['getRaw']>>;

/** The images route as a browser asks for it, timed to the last byte received. */
async function imagesRaw(
  backend: BenchBackend,
  entity: string,
  acceptEncoding = BROWSER_ACCEPT_ENCODING,
): Promise<RawAnswer> {
  const res = await backend.getRaw(
    `/entity/default/component/${entity}/images`,
    { 'accept-encoding': acceptEncoding },
  );
  if (res.status !== 200) {
    throw new Error(
      `GET images of ${entity}: ${res.status} ${res.bytes.toString()}`,
    );
  }
  return res;
}

const DECODERS: Record<string, (bytes: Buffer) => Buffer> = {
  identity: bytes => bytes,
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** Decodes and parses a raw answer, outside the timed part. */
function parseAnswer(res: RawAnswer): ImagesResponse {
  const decode = DECODERS[res.headers['content-encoding'] ?? 'identity'];
  if (!decode) {
    throw new Error(
      `unexpected Content-Encoding ${res.headers['content-encoding']}`,
    );
  }
  return JSON.parse(decode(res.bytes).toString('utf8'));
}

async function imagesOf(
  backend: BenchBackend,
  entity: string,
): Promise<ImagesResponse> {
  return parseAnswer(await imagesRaw(backend, entity));
}

/** The images route through Node's fetch, which decodes, then JSON.parse. */
async function imagesFetchedAndParsed(
  backend: BenchBackend,
  entity: string,
): Promise<ImagesResponse> {
  const res = await backend.get(`/entity/default/component/${entity}/images`);
  if (res.status !== 200) {
    throw new Error(`GET images of ${entity}: ${res.status} ${res.text}`);
  }
  return JSON.parse(res.text);
}

const calls = (s: Sample) =>
  median(s.describeImages) === Math.max(...s.describeImages)
    ? `${median(s.describeImages)}`
    : `${median(s.describeImages)} (max ${Math.max(...s.describeImages)})`;

const yesNo = (value: boolean) => (value ? 'yes' : 'NO');

interface SizeResult {
  n: number;
  cold: Sample;
  warm: Sample;
  warmIdentity: Sample;
  warmParsed: Sample;
  warmBytes: number;
  complete: boolean;
  newestFirst: boolean;
  rss: number;
  heapUsed: number;
  cachedBytes: number;
  baseline: Sample;
  baselineComplete: boolean;
  baselineHoldsNewest: boolean;
  baselineFull: Sample;
  newestAt: number;
}

async function benchSize(
  emulator: Emulator,
  backend: BenchBackend,
  n: number,
): Promise<SizeResult> {
  const entity = `bench-${n}`;
  const stored = storedImages(emulator, entity);
  const newestDigest = stored[newestIndex(emulator, entity)].digest;

  const cold = emptySample();
  let raw: RawAnswer | undefined;
  for (let i = 0; i < RUNS; i++) {
    backend.cache.clear();
    raw = await measure(emulator, cold, () => imagesRaw(backend, entity));
  }
  const [repository] = parseAnswer(raw!).repositories;
  const pushed = repository.images.map(i => Date.parse(i.pushedAt));
  const complete =
    repository.imageCount === n && repository.images.length === n;
  const newestFirst =
    repository.images[0]?.digest === newestDigest &&
    pushed.every((t, i) => i === 0 || pushed[i - 1] >= t);

  const warm = emptySample();
  await imagesRaw(backend, entity); // the cache holds the answer from here on
  let warmRaw: RawAnswer | undefined;
  for (let i = 0; i < RUNS; i++) {
    warmRaw = await measure(emulator, warm, () => imagesRaw(backend, entity));
  }
  // A warm answer is the very bytes of the last cold one, not a shortcut.
  if (!warmRaw!.bytes.equals(raw!.bytes)) {
    throw new Error(`the warm answer for ${entity} differs from the cold one`);
  }
  // The same warm request without HTTP compression, to show its share.
  const warmIdentity = emptySample();
  for (let i = 0; i < RUNS; i++) {
    await measure(emulator, warmIdentity, () =>
      imagesRaw(backend, entity, 'identity'),
    );
  }
  // And through a client that decodes and parses in this same process, to
  // show what a Node caller pays on top.
  const warmParsed = emptySample();
  for (let i = 0; i < RUNS; i++) {
    await measure(emulator, warmParsed, () =>
      imagesFetchedAndParsed(backend, entity),
    );
  }
  const { rss, heapUsed } = gcAndMemory();
  const cachedBytes = backend.cache.size();

  const baseline = emptySample();
  let shown: Awaited<ReturnType<typeof baselineImages>> = [];
  for (let i = 0; i < RUNS; i++) {
    shown = await measure(emulator, baseline, () =>
      baselineImages({
        endpoint: emulator.url,
        credentials: CREDENTIALS,
        accountId: ACCOUNT,
        repositoryName: entity,
      }),
    );
  }
  // What the same pattern costs when it pages on to the end: measured once.
  const baselineFull = emptySample();
  await measure(emulator, baselineFull, () =>
    baselineImages({
      endpoint: emulator.url,
      credentials: CREDENTIALS,
      accountId: ACCOUNT,
      repositoryName: entity,
      complete: true,
    }),
  );

  return {
    n,
    cold,
    warm,
    warmIdentity,
    warmParsed,
    warmBytes: warmRaw!.bytes.length,
    complete,
    newestFirst,
    rss,
    heapUsed,
    cachedBytes,
    baseline,
    baselineComplete: shown.length === n,
    baselineHoldsNewest: shown[0]?.imageDigest === newestDigest,
    baselineFull,
    newestAt: newestIndex(emulator, entity),
  };
}

async function benchSetup(emulator: Emulator, backend: BenchBackend) {
  const path = '/entity/default/component/payments-api/setup';
  const get = async () => {
    const res = await backend.get(path);
    if (res.status !== 200) {
      throw new Error(`GET setup: ${res.status} ${res.text}`);
    }
  };
  return coldAndWarm(emulator, backend, get);
}

/**
 * A route cold (the cache emptied before each request) and warm, RUNS times
 * each, with the AWS calls of every request.
 */
async function coldAndWarm(
  emulator: Emulator,
  backend: BenchBackend,
  get: () => Promise<void>,
): Promise<{ cold: Sample; warm: Sample }> {
  const cold = emptySample();
  for (let i = 0; i < RUNS; i++) {
    backend.cache.clear();
    await measure(emulator, cold, get);
  }
  const warm = emptySample();
  await get();
  for (let i = 0; i < RUNS; i++) {
    await measure(emulator, warm, get);
  }
  return { cold, warm };
}

/**
 * The builds route of an entity, cold (cache emptied before each request) and
 * warm: CodeBuild's ListBuildsForProject and BatchGetBuilds, and a
 * GetLogEvents per failed build for its diagnosis.
 */
async function benchBuilds(
  emulator: Emulator,
  backend: BenchBackend,
  entity: string,
) {
  const path = `/entity/default/component/${entity}/builds`;
  let builds = 0;
  const get = async () => {
    const res = await backend.get(path);
    if (res.status !== 200) {
      throw new Error(`GET builds of ${entity}: ${res.status} ${res.text}`);
    }
    builds = (JSON.parse(res.text) as { builds: unknown[] }).builds.length;
  };
  const { cold, warm } = await coldAndWarm(emulator, backend, get);
  return { entity, builds, cold, warm };
}

async function main(): Promise<boolean> {
  const startedAt = performance.now();
  out(
    `yarn bench: ${LATENCY_MS} ms added to every AWS call, ${RUNS} runs per figure, node ${process.version}`,
  );
  const emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    // Each generated repository is its entity's, so reads are not read-only.
    generate: SIZES.map(n => ({
      repository: `bench-${n}`,
      images: n,
      tags: { 'backstage.io/entity-ref': `component:default/bench-${n}` },
    })),
    latencyMs: LATENCY_MS,
  });
  let backend: BenchBackend | undefined;
  try {
    // The baseline only sees the newest image by luck if it is stored among
    // the first 100; the emulator stores generated images in a fixed shuffled
    // order, and the bench refuses to run where that luck would hide the
    // difference.
    for (const n of SIZES.filter(s => s > 100)) {
      const at = newestIndex(emulator, `bench-${n}`);
      if (at < 100) {
        throw new Error(
          `bench-${n} stores its newest image at position ${at}, inside the first 100`,
        );
      }
    }
    backend = await startBenchBackend({
      endpoint: emulator.url,
      accountId: ACCOUNT,
      credentials: CREDENTIALS,
      entities: ENTITIES,
      ttlSeconds: 600,
    });
    const before = gcAndMemory();
    // One request to load the backend's lazy parts before anything is timed.
    await imagesOf(backend, 'bench-100');

    const results: SizeResult[] = [];
    for (const n of SIZES) {
      results.push(await benchSize(emulator, backend, n));
    }
    const setup = await benchSetup(emulator, backend);
    const buildRuns = [
      await benchBuilds(emulator, backend, 'payments-api'),
      await benchBuilds(emulator, backend, 'proof-of-concept'),
    ];

    out();
    out(
      'Images route, GET /api/ecr/entity/:namespace/:kind/:name/images (median / p95; calls = ecr:DescribeImages per request)',
    );
    out();
    out(
      table(
        [
          'images',
          'plugin cold',
          'calls',
          'plugin warm',
          'calls',
          'complete',
          'newest first',
          'baseline (AWS plugin)',
          'calls',
          'complete',
          'holds newest',
          'baseline paged to the end',
        ],
        results.map(r => [
          r.n.toLocaleString('en-US'),
          spread(r.cold.times),
          calls(r.cold),
          spread(r.warm.times),
          calls(r.warm),
          yesNo(r.complete),
          yesNo(r.newestFirst),
          spread(r.baseline.times),
          calls(r.baseline),
          yesNo(r.baselineComplete),
          yesNo(r.baselineHoldsNewest),
          `${ms(r.baselineFull.times[0])}, ${
            r.baselineFull.describeImages[0]
          } calls`,
        ]),
      ),
    );
    out();
    out(
      `Warm answer on the wire (gzip): ${results
        .map(r => `${r.n.toLocaleString('en-US')} images ${kib(r.warmBytes)}`)
        .join('; ')}.`,
    );
    out(
      `Warm without HTTP compression (Accept-Encoding: identity): ${results
        .map(
          r =>
            `${r.n.toLocaleString('en-US')} images ${spread(
              r.warmIdentity.times,
            )}`,
        )
        .join('; ')}.`,
    );
    out(
      `Warm through Node's fetch, decoded and JSON.parse'd in the same process: ${results
        .map(
          r =>
            `${r.n.toLocaleString('en-US')} images ${spread(
              r.warmParsed.times,
            )}`,
        )
        .join('; ')}.`,
    );
    out(
      `Storage order: generated images are stored shuffled; the newest is at position ${results
        .map(r => `${r.newestAt + 1} of ${r.n.toLocaleString('en-US')}`)
        .join(', ')}.`,
    );
    out();
    out('Backend memory (this process, emulator included, after GC)');
    out();
    out(
      table(
        ['after', 'RSS', 'heap used', 'cached JSON'],
        [
          ['start-up', mib(before.rss), mib(before.heapUsed), mib(0)],
          ...results.map(r => [
            `${r.n.toLocaleString('en-US')} images (cold + warm)`,
            mib(r.rss),
            mib(r.heapUsed),
            mib(r.cachedBytes),
          ]),
        ],
      ),
    );
    out();
    out(
      'Setup route, GET /api/ecr/entity/default/component/payments-api/setup (all AWS calls per request)',
    );
    out();
    out(
      table(
        ['', 'median / p95', 'AWS calls'],
        [
          ['cold', spread(setup.cold.times), `${median(setup.cold.calls)}`],
          ['warm', spread(setup.warm.times), `${median(setup.warm.calls)}`],
        ],
      ),
    );
    out();
    out(
      `Builds route, GET /api/ecr/entity/default/component/:name/builds (all AWS calls per request; ${LATENCY_MS} ms per AWS call)`,
    );
    out();
    out(
      table(
        ['entity', 'builds', '', 'median / p95', 'AWS calls'],
        buildRuns.flatMap(b => [
          [
            b.entity,
            `${b.builds}`,
            'cold',
            spread(b.cold.times),
            `${median(b.cold.calls)}`,
          ],
          ['', '', 'warm', spread(b.warm.times), `${median(b.warm.calls)}`],
        ]),
      ),
    );
    out();
    const audit = await benchAudit({
      accountId: ACCOUNT,
      region: REGION,
      credentials: CREDENTIALS,
      latencyMs: LATENCY_MS,
      throttleRate: AUDIT_THROTTLE_RATE,
      entities: 500,
      repositories: 1_000,
    });
    out(
      `Audit, POST /api/ecr/audit/run?wait=true: ${
        audit.entities
      } entities over ${audit.repositories.toLocaleString(
        'en-US',
      )} repositories (${
        audit.repositories - audit.entities
      } unclaimed), ${LATENCY_MS} ms per AWS call, ${
        AUDIT_THROTTLE_RATE * 100
      }% of calls throttled, ecr.audit.concurrency ${
        audit.concurrency
      } (one run, its own emulator and backend)`,
    );
    out();
    out(
      table(
        [
          'run',
          'duration',
          'AWS calls',
          'per entity',
          'peak calls in flight',
          'throttles survived',
          'passing / failing',
          'unclaimed found',
        ],
        [
          [
            audit.status,
            ms(audit.durationMs),
            audit.totalCalls.toLocaleString('en-US'),
            (audit.totalCalls / audit.entities).toFixed(1),
            `${audit.peakInFlight}`,
            `${audit.throttled}`,
            `${audit.summary?.passing ?? '-'} / ${
              audit.summary
                ? audit.summary.services - audit.summary.passing
                : '-'
            }`,
            `${audit.summary?.unclaimedRepositories ?? '-'}`,
          ],
        ],
      ),
    );
    out();
    out(
      `AWS calls by operation (throttled attempts included): ${Object.entries(
        audit.calls,
      )
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}.`,
    );
    out(
      "Unclaimed counts the demo seed's own repositories too; the peak counts AWS calls at the emulator (an entity makes several at once).",
    );
    printBrowserRun();

    out();
    out('Targets');
    const targets: Array<[string, boolean]> = [];
    for (const r of results) {
      const allowed = Math.ceil(r.n / 1000);
      targets.push([
        `cold request at ${r.n.toLocaleString(
          'en-US',
        )} images makes at most ${allowed} DescribeImages call(s) (max seen ${Math.max(
          ...r.cold.describeImages,
        )})`,
        Math.max(...r.cold.describeImages) <= allowed,
      ]);
      targets.push([
        `warm request at ${r.n.toLocaleString(
          'en-US',
        )} images makes no AWS call (max seen ${Math.max(
          ...r.warm.calls,
        )}) and answers in under 20 ms median (${ms(median(r.warm.times))})`,
        Math.max(...r.warm.calls) === 0 && median(r.warm.times) < 20,
      ]);
    }
    const big = results[results.length - 1];
    targets.push([
      `at ${big.n.toLocaleString(
        'en-US',
      )} images: complete, newest first, with fewer AWS calls (${Math.max(
        ...big.cold.calls,
      )}) than the baseline needs for a complete answer (${
        big.baselineFull.describeImages[0]
      })`,
      big.complete &&
        big.newestFirst &&
        Math.max(...big.cold.calls) < big.baselineFull.describeImages[0],
    ]);
    targets.push([
      `the audit of ${audit.entities} entities completes (${audit.status}) despite ${audit.throttled} throttled calls`,
      audit.status === 'complete' &&
        audit.summary?.services === audit.entities &&
        audit.throttled > 0,
    ]);
    for (const [text, ok] of targets) out(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
    out();
    out(`p95 is the nearest-rank 95th percentile of ${RUNS} runs.`);
    out(`Total bench time ${ms(performance.now() - startedAt)}.`);
    return targets.every(([, ok]) => ok);
  } finally {
    await backend?.stop();
    await emulator.stop();
  }
}

main().then(
  // Everything the bench started is stopped; exit with the targets' verdict.
  allPassed => process.exit(allPassed ? 0 : 1),
  error => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
