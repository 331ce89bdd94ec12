import { describe, expect, it } from 'vitest';
import { CACHE_KEY_IGNORED_PARAMS, cacheKey } from '../../src/cache/cache-key.js';
import { canonicalJson } from '../../src/cache/canonical-json.js';
import { isKernelError } from '../../src/errors.js';

const base = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is 2 + 2?' },
  ],
  temperature: 0,
};

function expectInvalid(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toBe(message);
    return;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('cacheKey', () => {
  it('is a sha256 hex digest, stable across calls', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(structuredClone(base))).toBe(key);
  });

  it('ignores the order of keys at every depth', () => {
    const reordered = {
      temperature: 0,
      messages: [
        { content: 'Be brief.', role: 'system' },
        { content: 'What is 2 + 2?', role: 'user' },
      ],
      model: 'gpt-4o-mini',
    };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
  });

  it('keeps the order of array items', () => {
    const swapped = { ...base, messages: [base.messages[1], base.messages[0]] };
    expect(cacheKey(swapped)).not.toBe(cacheKey(base));
  });

  it('keys an omitted parameter as absent, not as its provider default', () => {
    const { temperature: _t, ...withoutTemperature } = base;
    expect(cacheKey(withoutTemperature)).not.toBe(cacheKey(base));
    expect(cacheKey(withoutTemperature)).not.toBe(cacheKey({ ...base, temperature: 1 }));
    expect(cacheKey({ ...withoutTemperature, temperature: undefined })).toBe(
      cacheKey(withoutTemperature),
    );
    expect(cacheKey({ ...withoutTemperature, temperature: null })).not.toBe(
      cacheKey(withoutTemperature),
    );
  });

  it.each([
    ['model', 'gpt-4o'],
    ['temperature', 0.5],
    ['top_p', 0.9],
    ['max_tokens', 100],
    ['maxOutputTokens', 100],
    ['stop', ['\n']],
    ['seed', 7],
    ['n', 2],
    ['tools', [{ type: 'function', function: { name: 'f', parameters: {} } }]],
    ['tool_choice', 'required'],
    ['response_format', { type: 'json_object' }],
    ['reasoning_effort', 'high'],
    ['reasoning', { effort: 'low' }],
    ['thinking', { type: 'enabled', budget_tokens: 1024 }],
    ['some_future_param', true],
  ])('changes when %s changes', (name, value) => {
    expect(cacheKey({ ...base, [name]: value })).not.toBe(cacheKey(base));
  });

  it('ignores parameters that cannot change the output', () => {
    const noisy: Record<string, unknown> = { ...base };
    for (const name of CACHE_KEY_IGNORED_PARAMS) noisy[name] = `${name}-value`;
    noisy['abortSignal'] = new AbortController().signal;
    expect(cacheKey(noisy)).toBe(cacheKey(base));
    expect(CACHE_KEY_IGNORED_PARAMS).toContain('stream');
    expect(CACHE_KEY_IGNORED_PARAMS).not.toContain('temperature');
  });

  it('ignores a parameter name only at the top level', () => {
    const nested = { ...base, response_format: { type: 'json_schema', user: 'schema-field' } };
    const other = { ...base, response_format: { type: 'json_schema', user: 'other' } };
    expect(cacheKey(nested)).not.toBe(cacheKey(other));
  });

  it('separates tenant scopes', () => {
    expect(cacheKey(base, 'tenant-a')).not.toBe(cacheKey(base, 'tenant-b'));
    expect(cacheKey(base, 'tenant-a')).not.toBe(cacheKey(base));
    expect(cacheKey(base, 'tenant-a')).toBe(cacheKey(structuredClone(base), 'tenant-a'));
  });

  it('keys bytes like their base64 string, as SDKs treat them alike', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const withBytes = {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', image: bytes }] }],
    };
    const withBase64 = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', image: Buffer.from(bytes).toString('base64') }],
        },
      ],
    };
    expect(cacheKey(withBytes)).toBe(cacheKey(withBase64));
    const other = {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', image: new Uint8Array([1, 2, 3]) }] }],
    };
    expect(cacheKey(other)).not.toBe(cacheKey(withBytes));
  });

  it('rejects bad arguments with the project message format', () => {
    expectInvalid(
      () => cacheKey(null as never),
      'Expected `request` to be an object, got `null` (null)',
    );
    expectInvalid(
      () => cacheKey({ messages: [] }),
      'Expected `request.model` to be a non-empty string of at most 256 characters, got `undefined` (undefined)',
    );
    expectInvalid(
      () => cacheKey(base, ''),
      'Expected `scope` to be a non-empty string of at most 256 characters, got `""` (string)',
    );
    expectInvalid(
      () => cacheKey({ ...base, temperature: Number.NaN }),
      'Expected `request.temperature` to be a finite number, got `NaN` (number)',
    );
  });

  it('refuses values JSON would mangle into a colliding form', () => {
    expectInvalid(
      () => cacheKey({ ...base, logit_bias: new Map([['1', 2]]) }),
      'Expected `request.logit_bias` to be a JSON-serializable value, got `{}` (object)',
    );
    expect(() => cacheKey({ ...base, seed: 1n })).toThrow(/request\.seed/);
    const cyclic: Record<string, unknown> = { role: 'user' };
    cyclic['self'] = cyclic;
    expect(() => cacheKey({ ...base, messages: [cyclic] })).toThrow(/request\.messages\[0\]\.self/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined and functions in objects, nulls them in arrays', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [1, undefined, () => 0], c: undefined }, f: () => 0 }),
    ).toBe('{"a":{"d":[1,null,null]},"b":1}');
  });

  it('honours toJSON like JSON.stringify', () => {
    const date = new Date(Date.UTC(2026, 0, 5));
    expect(canonicalJson({ at: date })).toBe(`{"at":${JSON.stringify(date)}}`);
    expect(canonicalJson(new URL('https://example.com/a.png'))).toBe('"https://example.com/a.png"');
  });

  it('writes the same text as JSON.stringify for already sorted plain data', () => {
    const value = { a: [1, 'x', true, null, { b: -0, c: 1e21 }], d: 'é\u2028"' };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });
});
