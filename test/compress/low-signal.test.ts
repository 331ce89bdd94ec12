import { describe, expect, it } from 'vitest';
import { isLowSignal } from '../../src/compress/low-signal.js';

describe('isLowSignal', () => {
  it('flags acknowledgements and empty messages', () => {
    for (const content of [
      'ok thanks',
      'Great, thank you!',
      'Sounds good.',
      '',
      '  ',
      '👍',
      'You are welcome.',
    ]) {
      expect(isLowSignal({ role: 'user', content }), content).toBe(true);
    }
  });

  it('keeps questions, answers, facts and anything substantive', () => {
    for (const content of [
      'ok?',
      'yes',
      'no',
      'ok, use port 8443',
      'thanks Alice Moreno',
      'The build is red.',
    ]) {
      expect(isLowSignal({ role: 'user', content }), content).toBe(false);
    }
  });

  it('never flags tool calls, tool results or system messages', () => {
    const call = { id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
    expect(isLowSignal({ role: 'assistant', content: '', tool_calls: [call] })).toBe(false);
    expect(isLowSignal({ role: 'tool', tool_call_id: 'c', content: 'ok' })).toBe(false);
    expect(isLowSignal({ role: 'system', content: 'ok' })).toBe(false);
  });
});
