import { describe, expect, it } from 'vitest';
import { MAX_SENTENCE_CHARS, splitSentences } from '../../src/compress/sentence-split.js';

describe('splitSentences', () => {
  it('splits at a full stop, question mark, exclamation mark and ellipsis followed by a capital', () => {
    expect(splitSentences('It works. Does it? Yes! Well… Fine.')).toEqual([
      'It works.',
      'Does it?',
      'Yes!',
      'Well…',
      'Fine.',
    ]);
  });

  it('does not split after titles such as "Dr." and "Mr."', () => {
    expect(splitSentences('Dr. Smith met Mr. Jones. They talked.')).toEqual([
      'Dr. Smith met Mr. Jones.',
      'They talked.',
    ]);
  });

  it('does not split after "e.g." or "i.e.", even before a capital', () => {
    expect(splitSentences('Use a tool, e.g. Grep. Or a library, i.e. Ripgrep. Done.')).toEqual([
      'Use a tool, e.g. Grep.',
      'Or a library, i.e. Ripgrep.',
      'Done.',
    ]);
  });

  it('does not split after dotted acronyms such as "U.S." or after initials', () => {
    expect(splitSentences('The U.S. Army won. J. R. R. Tolkien wrote it.')).toEqual([
      'The U.S. Army won.',
      'J. R. R. Tolkien wrote it.',
    ]);
  });

  it('keeps decimals and version numbers whole', () => {
    expect(
      splitSentences('Pi is 3.14 today. Upgrade to v2.3.1 now. It costs $1,234.50 total.'),
    ).toEqual(['Pi is 3.14 today.', 'Upgrade to v2.3.1 now.', 'It costs $1,234.50 total.']);
  });

  it('keeps URLs and paths whole, including one that ends a sentence', () => {
    expect(
      splitSentences(
        'See https://example.com/a.b?c=1.2 and /srv/app/config.yaml. Then ./run.sh. Next.',
      ),
    ).toEqual([
      'See https://example.com/a.b?c=1.2 and /srv/app/config.yaml.',
      'Then ./run.sh.',
      'Next.',
    ]);
  });

  it('does not split before a lower-case word, so "approx. five" stays whole', () => {
    expect(splitSentences('It took approx. five minutes, etc. and then stopped.')).toEqual([
      'It took approx. five minutes, etc. and then stopped.',
    ]);
  });

  it('treats "No." and "Fig." as abbreviations only before a number', () => {
    expect(splitSentences('See No. 5 and Fig. 3 there. I said no. Then I left.')).toEqual([
      'See No. 5 and Fig. 3 there.',
      'I said no.',
      'Then I left.',
    ]);
  });

  it('splits after closing quotes and brackets that follow the full stop', () => {
    expect(splitSentences('He said "stop." Then (quietly.) It ended.')).toEqual([
      'He said "stop."',
      'Then (quietly.)',
      'It ended.',
    ]);
  });

  it('ends a sentence at every line break and skips blank lines', () => {
    expect(splitSentences('status: ok\n\nport: 8443\r\nhost: db')).toEqual([
      'status: ok',
      'port: 8443',
      'host: db',
    ]);
  });

  it('cuts a sentence longer than the limit at a space, without losing text', () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const parts = splitSentences(long);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(parts.join(' ')).toBe(long);
  });

  it('cuts a long run without spaces hard, never inside a surrogate pair', () => {
    const run = '😀'.repeat(400);
    const parts = splitSentences(run, 101);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(101);
      expect(part).toMatch(/^(?:😀)+$/u);
    }
    expect(parts.join('')).toBe(run);
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\t\n')).toEqual([]);
  });
});
