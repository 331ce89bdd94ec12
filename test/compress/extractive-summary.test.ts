import { describe, expect, it } from 'vitest';
import { summarizeExtractive, type SummarySource } from '../../src/compress/extractive-summary.js';
import { countText } from '../../src/tokens/bpe-count.js';

const filler = [
  'We should look at the queue next and see whether anything changed.',
  'The worker seems a little slow after the migration, nothing unusual.',
  'Let me know if the schema needs anything else before we move on.',
  'I reviewed the dashboard and it looks fine to me overall.',
];
const sources: SummarySource[] = [
  { label: 'user', text: `${filler[0]} The deploy key is K-93121. ${filler[1]}` },
  { label: 'assistant', text: `${filler[2]} Settings live in /srv/app/config.yaml for now.` },
  {
    label: 'tool read_log',
    text: `${filler[3]}\nThe incident report is at https://example.com/x.`,
  },
  { label: 'user', text: `${filler[0]} Dr. Alice Moreno owns the cache.` },
];

describe('summarizeExtractive', () => {
  it('fits the exact token budget', () => {
    for (const max of [0, 5, 12, 30, 60, 200]) {
      const { body } = summarizeExtractive(sources, max, 'o200k_base');
      expect(countText(body, 'o200k_base')).toBeLessThanOrEqual(max);
    }
  });

  it('prefers sentences carrying facts over filler under a tight budget', () => {
    const { body } = summarizeExtractive(sources, 60, 'o200k_base');
    for (const fact of [
      'K-93121',
      '/srv/app/config.yaml',
      'https://example.com/x',
      'Alice Moreno',
    ]) {
      expect(body).toContain(fact);
    }
    expect(body).not.toContain('reviewed the dashboard');
  });

  it('prints chosen sentences in conversation order, one labelled line per source', () => {
    const { body } = summarizeExtractive(sources, 60, 'o200k_base');
    expect(body.split('\n')).toEqual([
      'user: The deploy key is K-93121.',
      'assistant: Settings live in /srv/app/config.yaml for now.',
      'tool read_log: The incident report is at https://example.com/x.',
      'user: Dr. Alice Moreno owns the cache.',
    ]);
  });

  it('skips a sentence whose facts are already covered (MMR and coverage)', () => {
    const repeated: SummarySource[] = [
      { label: 'user', text: 'The deploy key is K-93121.' },
      { label: 'assistant', text: 'Noted: the deploy key is K-93121.' },
      { label: 'user', text: 'The port is 8443.' },
    ];
    const { body } = summarizeExtractive(repeated, 30, 'o200k_base');
    expect(body.match(/K-93121/g)).toHaveLength(1);
    expect(body).toContain('8443');
  });

  it('takes every distinct sentence when the budget allows, a repeated one once', () => {
    const { body, sentences } = summarizeExtractive(sources, 1_000, 'o200k_base');
    expect(sentences).toBe(8);
    expect(body).toContain(filler[3]);
    expect(body.split(filler[0] as string)).toHaveLength(2);
  });

  it('cuts the best sentence at the exact token count when no whole sentence fits', () => {
    const long: SummarySource[] = [
      { label: 'tool', text: `K-93121 ${'x'.repeat(50)} ${'word '.repeat(60)}` },
    ];
    const result = summarizeExtractive(long, 10, 'o200k_base');
    expect(result.truncated).toBe(true);
    expect(result.body.startsWith('tool: K-93121')).toBe(true);
    expect(countText(result.body, 'o200k_base')).toBeLessThanOrEqual(10);
  });

  it('is deterministic and returns nothing for nothing', () => {
    expect(summarizeExtractive(sources, 40, 'cl100k_base')).toEqual(
      summarizeExtractive(sources, 40, 'cl100k_base'),
    );
    expect(summarizeExtractive([], 40, 'o200k_base')).toEqual({
      body: '',
      sentences: 0,
      truncated: false,
    });
  });
});
