import { addImage, Image, Repository } from '../state';
import { registerLayers, synthesizeManifest } from './images';

/**
 * Large repositories for benchmarks: `count` images with deterministic digests, tags, sizes,
 * push times and scan summaries, stored in a shuffled (but always the same) order so that
 * consumers cannot rely on the storage order being newest first.
 */
export interface GenerateOptions {
  count: number;
  /** The oldest push time; image n is pushed `n × intervalMinutes` later. */
  start: Date;
  intervalMinutes: number;
  /** Whether images carry a completed basic scan with severity counts. */
  scanned: boolean;
}

/** A small deterministic PRNG (mulberry32), so every run stores the same order. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateImages(
  repository: Repository,
  options: GenerateOptions,
): void {
  const width = String(options.count).length;
  const images: Image[] = [];
  for (let n = 1; n <= options.count; n++) {
    const sizeBytes = 20_000_000 + ((n * 7919) % 180_000_000);
    const synthesized = synthesizeManifest(
      `${repository.name}#generated-${n}`,
      sizeBytes,
    );
    registerLayers(repository, synthesized);
    const pushedAt = new Date(
      options.start.getTime() + n * options.intervalMinutes * 60_000,
    );
    // Every 25th image is untagged, like the leftovers of re-tagged builds.
    const tags =
      n % 25 === 0 ? [] : [`build-${String(n).padStart(width, '0')}`];
    const image: Image = {
      digest: synthesized.digest,
      tags,
      sizeBytes,
      pushedAt,
      lastPulledAt:
        n % 3 === 0 ? new Date(pushedAt.getTime() + 3_600_000) : undefined,
      manifest: synthesized.manifest,
      manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    };
    if (options.scanned) {
      const counts: Record<string, number> = {};
      if (n % 11 === 0) counts.CRITICAL = 1;
      if (n % 3 === 0) counts.HIGH = n % 4;
      if (n % 2 === 0) counts.MEDIUM = 1 + (n % 5);
      counts.LOW = n % 7;
      for (const key of Object.keys(counts))
        if (counts[key] === 0) delete counts[key];
      image.scan = {
        type: 'basic',
        status: 'COMPLETE',
        description: 'The scan was completed successfully.',
        completedAt: new Date(pushedAt.getTime() + 120_000),
        vulnerabilitySourceUpdatedAt: new Date(pushedAt.getTime() + 60_000),
        severityCounts: counts,
        findings: [],
        enhancedFindings: [],
      };
    }
    images.push(image);
  }
  const next = random(options.count);
  for (let i = images.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [images[i], images[j]] = [images[j], images[i]];
  }
  for (const image of images) addImage(repository, image);
}
