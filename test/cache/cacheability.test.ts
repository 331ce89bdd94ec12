import { describe, expect, it } from 'vitest';
import { cacheability } from '../../src/cache/cacheability.js';
import { isKernelError } from '../../src/errors.js';

const deterministic = { model: 'gpt-4o-mini', messages: [], temperature: 0 };

describe('cacheability', () => {
  it('caches a temperature-0 request that finished normally', () => {
    expect(cacheability(deterministic)).toEqual({ cacheable: true });
    expect(cacheability(deterministic, { finishReason: 'stop' })).toEqual({ cacheable: true });
    expect(cacheability(deterministic, { finishReason: 'end_turn' })).toEqual({ cacheable: true });
    expect(cacheability({ ...deterministic, n: 1 }, { finishReason: 'tool_calls' })).toEqual({
      cacheable: true,
    });
  });

  it('refuses an absent temperature: providers then sample (OpenAI defaults to 1)', () => {
    expect(cacheability({ model: 'gpt-4o', messages: [] })).toEqual({
      cacheable: false,
      reason: 'temperature',
    });
    expect(cacheability({ ...deterministic, temperature: null })).toEqual({
      cacheable: false,
      reason: 'temperature',
    });
  });

  it('refuses a temperature above 0', () => {
    expect(cacheability({ ...deterministic, temperature: 0.01 })).toEqual({
      cacheable: false,
      reason: 'temperature',
    });
  });

  it('refuses n above 1', () => {
    expect(cacheability({ ...deterministic, n: 2 })).toEqual({ cacheable: false, reason: 'n' });
  });

  it.each(['length', 'max_tokens', 'MAX_TOKENS', 'model_context_window_exceeded', 'pause_turn'])(
    'refuses a response cut off by a token limit (%s)',
    (finishReason) => {
      expect(cacheability(deterministic, { finishReason })).toEqual({
        cacheable: false,
        reason: 'length',
      });
    },
  );

  it.each([
    'content_filter',
    'content-filter',
    'refusal',
    'SAFETY',
    'RECITATION',
    'PROHIBITED_CONTENT',
  ])('refuses a filtered response (%s)', (finishReason) => {
    expect(cacheability(deterministic, { finishReason })).toEqual({
      cacheable: false,
      reason: 'content-filter',
    });
  });

  it('refuses an errored call, even when forced', () => {
    expect(cacheability(deterministic, { error: new Error('boom') })).toEqual({
      cacheable: false,
      reason: 'error',
    });
    expect(cacheability(deterministic, { finishReason: 'error' }, { force: true })).toEqual({
      cacheable: false,
      reason: 'error',
    });
    expect(cacheability(deterministic, { error: null })).toEqual({ cacheable: true });
  });

  it('lets a call opt in despite temperature, n, length or filtering', () => {
    const sampled = { model: 'gpt-4o', messages: [], temperature: 0.7, n: 3 };
    expect(cacheability(sampled, undefined, { force: true })).toEqual({ cacheable: true });
    expect(cacheability(sampled, { finishReason: 'length' }, { force: true })).toEqual({
      cacheable: true,
    });
    expect(cacheability(sampled, { finishReason: 'content_filter' }, { force: false })).toEqual({
      cacheable: false,
      reason: 'content-filter',
    });
  });

  it('reports response problems before request ones', () => {
    expect(cacheability({ model: 'm', temperature: 1, n: 2 }, { finishReason: 'length' })).toEqual({
      cacheable: false,
      reason: 'length',
    });
  });

  it.each([
    [() => cacheability(null as never), 'Expected `request` to be an object, got `null` (null)'],
    [
      () => cacheability({ temperature: -1 }),
      'Expected `request.temperature` to be a non-negative finite number or undefined, got `-1` (number)',
    ],
    [
      () => cacheability({ temperature: '0' }),
      'Expected `request.temperature` to be a non-negative finite number or undefined, got `"0"` (string)',
    ],
    [
      () => cacheability({ temperature: 0, n: 1.5 }),
      'Expected `request.n` to be a positive safe integer or undefined, got `1.5` (number)',
    ],
    [
      () => cacheability(deterministic, { finishReason: 3 as never }),
      'Expected `response.finishReason` to be a string or undefined, got `3` (number)',
    ],
    [
      () => cacheability(deterministic, undefined, { force: 'yes' as never }),
      'Expected `options.force` to be a boolean, got `"yes"` (string)',
    ],
  ])('rejects bad input with INVALID_ARGUMENT (%#)', (fn, message) => {
    try {
      fn();
      throw new Error('expected a throw');
    } catch (error) {
      expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toBe(message);
    }
  });
});
