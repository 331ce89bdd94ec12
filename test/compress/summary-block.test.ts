import { describe, expect, it } from 'vitest';
import {
  isSummaryBlock,
  parseSummaryBlock,
  SUMMARY_MARKER,
  summaryBlock,
} from '../../src/compress/summary-block.js';

describe('summary block', () => {
  it('is a system message that starts with the stable marker', () => {
    const block = summaryBlock('user: K-93121');
    expect(block).toEqual({ role: 'system', content: `${SUMMARY_MARKER}\nuser: K-93121` });
    expect(isSummaryBlock(block)).toBe(true);
    expect(isSummaryBlock({ role: 'user', content: block.content })).toBe(false);
    expect(isSummaryBlock({ role: 'system', content: 'You are helpful.' })).toBe(false);
  });

  it('parses its labelled lines back, unlabelled lines as notes', () => {
    const block = summaryBlock('user: The key is K-1.\ntool read_file: port: 8443\nfree text here');
    expect(parseSummaryBlock(block.content)).toEqual([
      { label: 'user', text: 'The key is K-1.' },
      { label: 'tool read_file', text: 'port: 8443' },
      { label: 'note', text: 'free text here' },
    ]);
  });
});
