import { describe, expect, it } from 'vitest';
import { extractFacts, factKey, type Fact } from '../../src/compress/facts.js';

const of = (text: string, kind: Fact['kind']) =>
  extractFacts(text)
    .filter((f) => f.kind === kind)
    .map((f) => f.text);

describe('extractFacts', () => {
  it('finds URLs without their trailing punctuation', () => {
    expect(of('Docs at https://example.com/x?id=7. Also (http://a.io/b).', 'url')).toEqual([
      'https://example.com/x?id=7',
      'http://a.io/b',
    ]);
  });

  it('finds absolute, home, relative and Windows paths', () => {
    expect(
      of('Edit /srv/app/config.yaml, ~/notes.md, src/compress/x.ts and C:\\tmp\\a.txt.', 'path'),
    ).toEqual(['/srv/app/config.yaml', '~/notes.md', 'src/compress/x.ts', 'C:\\tmp\\a.txt']);
  });

  it('does not report a path inside a URL twice', () => {
    const facts = extractFacts('Open https://example.com/srv/app/x.yaml now.');
    expect(facts).toEqual([{ kind: 'url', text: 'https://example.com/srv/app/x.yaml' }]);
  });

  it('finds identifiers: letters with digits, snake_case, camelCase and file names', () => {
    expect(
      of(
        'Key K-93121 for gpt-4o, user_id, getUserId, config.yaml and commit 9f8e7d6.',
        'identifier',
      ),
    ).toEqual(['K-93121', 'gpt-4o', 'user_id', 'getUserId', 'config.yaml', '9f8e7d6']);
  });

  it('finds numbers with separators, money, percent and dates', () => {
    expect(
      of('It costs $12.50, 4,812 calls, 35 % or 93%, on 2024-05-01 at 12:30.', 'number'),
    ).toEqual(['$12.50', '4,812', '35', '93%', '2024-05-01', '12:30']);
  });

  it('finds names inside a sentence and multi-word names at its start, not a lone first word', () => {
    expect(
      of('Alice Moreno called Bob. Then Dr. Chen Li agreed. Please ask Dana.', 'name'),
    ).toEqual(['Alice Moreno', 'Bob', 'Chen Li', 'Dana']);
    expect(of('Yesterday it rained.', 'name')).toEqual([]);
  });

  it('keys facts by kind and lower-cased text', () => {
    expect(factKey({ kind: 'identifier', text: 'K-93121' })).toBe('identifier:k-93121');
  });
});
