import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import {
  DEFAULT_MARGIN_CALIBRATION,
  MAX_RATIO,
  MarginCalibrator,
} from '../../src/tokens/margin-calibrator.js';
import { ModelMargins } from '../../src/tokens/model-margins.js';
import { createTokenCounter, type TokenCounter } from '../../src/tokens/token-counter.js';
import { MIXED_SAMPLES, seededRandom } from './corpus.js';

describe('MarginCalibrator', () => {
  it('keeps the initial margin, raised by any larger ratio, until it has enough samples', () => {
    const calibrator = new MarginCalibrator();
    expect(calibrator.margin).toBe(1.25);
    for (let i = 0; i < 19; i++) calibrator.observe(1.05);
    expect(calibrator.margin).toBe(1.25);
    calibrator.observe(1.4);
    expect(calibrator.margin).toBe(1.4);
  });

  it('is the ⌈0.975·(n+1)⌉-th smallest ratio of the window (split-conformal bound)', () => {
    const calibrator = new MarginCalibrator();
    // 200 distinct ratios 1.001…1.200, shuffled: k = ⌈0.975·201⌉ = 196.
    const random = seededRandom(9);
    const ratios = Array.from({ length: 200 }, (_, i) => 1 + (i + 1) / 1_000);
    ratios.sort(() => random() - 0.5);
    for (const ratio of ratios) calibrator.observe(ratio);
    expect(calibrator.margin).toBeCloseTo(1.196, 10);
    // Between 20 and 38 samples the bound is the maximum.
    const small = new MarginCalibrator({ ...DEFAULT_MARGIN_CALIBRATION, initialMargin: 2 });
    for (let i = 1; i <= 30; i++) small.observe(1 + i / 100);
    expect(small.margin).toBeCloseTo(1.3, 10);
  });

  it('forgets ratios older than its window, so the margin follows drift down as well as up', () => {
    const calibrator = new MarginCalibrator();
    for (let i = 0; i < 200; i++) calibrator.observe(1.5);
    expect(calibrator.margin).toBe(1.5);
    for (let i = 0; i < 200; i++) calibrator.observe(1.1);
    expect(calibrator.margin).toBe(1.1);
  });

  it('clamps absurd ratios so one bad usage report cannot set the margin', () => {
    const calibrator = new MarginCalibrator();
    calibrator.observe(1_000);
    expect(calibrator.margin).toBe(MAX_RATIO);
  });
});

describe('ModelMargins', () => {
  it('divides a reported estimate by the base it was computed from, even after the margin moved', () => {
    const margins = new ModelMargins({ ...DEFAULT_MARGIN_CALIBRATION, window: 20 });
    for (let i = 0; i < 19; i++) margins.observe('m', margins.estimate('m', 100), 100);
    const issued = margins.estimate('m', 1_000);
    expect(issued).toBe(1_250);
    margins.observe('m', margins.estimate('m', 100), 100);
    expect(margins.margin('m')).toBe(1);
    // 1,500 actual on a base of 1,000 is a ratio of 1.5 (not 1,500 / 1,250 = 1.2).
    margins.observe('m', issued, 1_500);
    expect(margins.margin('m')).toBe(1.5);
  });

  it('keeps each model to its own margin', () => {
    const margins = new ModelMargins(DEFAULT_MARGIN_CALIBRATION);
    for (let i = 0; i < 50; i++) margins.observe('a', margins.estimate('a', 1_000), 1_020);
    expect(margins.margin('a')).toBeCloseTo(1.02, 2);
    expect(margins.margin('b')).toBe(1.25);
    expect(margins.samples('a')).toBe(50);
    expect(margins.samples('b')).toBe(0);
  });
});

/** A realistic stream of requests: a few system prompts, user turns of every kind and size. */
function request(random: () => number): { messages: ChatMessage[]; kind: number } {
  const kind = Math.floor(random() * MIXED_SAMPLES.length);
  const sample = MIXED_SAMPLES[kind] as string;
  const repeats = 1 + Math.floor(random() * random() * 40);
  return {
    kind,
    messages: [
      { role: 'system', content: `You are agent ${Math.floor(random() * 5)}. Be precise.` },
      { role: 'user', content: sample.repeat(repeats) },
    ],
  };
}

/** Gaussian noise (Box–Muller) from the seeded source. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface StreamResult {
  coverage: number;
  finalMargin: number;
  meanOverestimate: number;
}

/**
 * Runs `calls` estimated requests where the provider's real count is the o200k base times a
 * factor that depends on the content kind (its tokenizer splits code, CJK and emoji differently)
 * and on noise; feeds each real count back, and measures how often the estimate was an upper bound
 * after the first `warmup` calls.
 */
function runStream(
  tokens: TokenCounter,
  seed: number,
  calls: number,
  factor: (kind: number, call: number) => number,
  warmup = 50,
): StreamResult {
  const random = seededRandom(seed);
  let covered = 0;
  let over = 0;
  for (let call = 0; call < calls; call++) {
    const { messages, kind } = request(random);
    const estimate = tokens.countSync(messages, 'claude-sonnet-4-5');
    const base = countChatMessages(messages, 'o200k_base');
    const actual = Math.round(base * factor(kind, call) * Math.exp(0.04 * gaussian(random)));
    if (call >= warmup) {
      if (estimate.tokens >= actual) covered++;
      over += estimate.tokens / actual;
    }
    tokens.calibrate('claude-sonnet-4-5', estimate.tokens, actual);
  }
  return {
    coverage: covered / (calls - warmup),
    finalMargin: tokens.margin('claude-sonnet-4-5'),
    meanOverestimate: over / (calls - warmup),
  };
}

describe('self-calibrating estimates', () => {
  const open: TokenCounter[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  const counter = (): TokenCounter => {
    const tokens = createTokenCounter();
    open.push(tokens);
    return tokens;
  };
  // Content-dependent factors, one per MIXED_SAMPLES entry: prose ~1.1, code ~1.2, CJK ~1.3,
  // emoji ~1.5, numbers and identifiers in between.
  const FACTORS = [
    1.1, 1.2, 1.2, 1.15, 1.12, 1.25, 1.3, 1.35, 1.3, 1.2, 1.5, 1.05, 1.18, 1.15, 1.2, 1.25, 1.1,
    1.12,
  ];
  const kindFactor = (kind: number): number => FACTORS[kind] as number;

  for (const seed of [1, 2, 3]) {
    it(`keeps ≥ 95 % of estimates above the real count on a mixed stream (seed ${seed})`, () => {
      const result = runStream(counter(), seed, 1_500, kindFactor);
      expect(result.coverage).toBeGreaterThanOrEqual(0.95);
      expect(result.meanOverestimate).toBeLessThan(1.35);
    });
  }

  it('comes down from the conservative start when the real factor is small', () => {
    const result = runStream(counter(), 4, 800, () => 1.02);
    expect(result.coverage).toBeGreaterThanOrEqual(0.95);
    expect(result.finalMargin).toBeLessThan(1.12);
    expect(result.meanOverestimate).toBeLessThan(1.1);
  });

  it('follows a drift in the real factor and keeps its coverage', () => {
    const result = runStream(counter(), 5, 2_000, (_, call) => (call < 1_000 ? 1.05 : 1.35));
    expect(result.coverage).toBeGreaterThanOrEqual(0.95);
    expect(result.finalMargin).toBeGreaterThanOrEqual(1.35);
  });

  it('ignores calibration for models counted exactly', () => {
    const tokens = counter();
    for (let i = 0; i < 100; i++) tokens.calibrate('gpt-4o', 100, 300);
    expect(tokens.margin('gpt-4o')).toBe(1);
    expect(tokens.countSync('hello world', 'gpt-4o').tokens).toBe(2);
  });
});
