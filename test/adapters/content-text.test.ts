import { describe, expect, it } from 'vitest';
import { aiSdkMessages } from '../../src/adapters/ai-sdk-shapes.js';
import { anthropicMessages } from '../../src/adapters/anthropic-shapes.js';
import { contentText } from '../../src/adapters/content-text.js';
import { langChainMessages, langChainRunInfo } from '../../src/adapters/langchain-shapes.js';
import { openAIChatMessages } from '../../src/adapters/openai-shapes.js';

describe('contentText', () => {
  it('keeps text, tool names, arguments and results, and leaves media out', () => {
    const image = {
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${'A'.repeat(10_000)}` },
    };
    expect(contentText([{ type: 'text', text: 'Describe:' }, image])).toBe('Describe:');
    expect(
      contentText([
        { type: 'image', source: { type: 'base64', data: 'QUJD' } },
        { type: 'tool_use', id: 't1', name: 'search', input: { q: 'moons' } },
        { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'Phobos' }] },
      ]),
    ).toBe('search\n{"q":"moons"}\nPhobos');
    expect(
      contentText([{ type: 'file', data: new Uint8Array(50_000), mediaType: 'application/pdf' }]),
    ).toBe('');
  });

  it('writes structured tool results as JSON and never serializes binary data', () => {
    expect(
      contentText([
        {
          type: 'tool-result',
          toolCallId: 'c',
          toolName: 'calc',
          output: { type: 'json', value: { sum: 3 } },
        },
      ]),
    ).toBe('calc\n{"sum":3}');
    expect(contentText({ blob: new Uint8Array([1, 2, 3]), note: 'x' })).toBe('{"note":"x"}');
  });
});

describe('provider messages as the kernel counts them', () => {
  it('maps OpenAI chat messages, tool calls and tools', () => {
    const counted = openAIChatMessages(
      [
        { role: 'developer', content: 'Be exact.' },
        { role: 'user', content: [{ type: 'text', text: 'Sum 1+2' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '3' },
      ],
      [{ type: 'function', function: { name: 'add' } }],
    );
    expect(counted).toEqual([
      { role: 'system', content: '[{"type":"function","function":{"name":"add"}}]' },
      { role: 'developer', content: 'Be exact.' },
      { role: 'user', content: 'Sum 1+2' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } },
        ],
      },
      { role: 'tool', content: '3', tool_call_id: 'c1' },
    ]);
  });

  it('maps Anthropic system blocks and messages', () => {
    expect(
      anthropicMessages({
        system: [{ type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).toEqual([
      { role: 'system', content: 'Rules.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('maps an AI SDK prompt with reasoning and tool parts', () => {
    expect(
      aiSdkMessages(
        [
          { role: 'system', content: 'S' },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'think' },
              { type: 'tool-call', toolCallId: 'c', toolName: 'f', input: { x: 1 } },
            ],
          },
        ],
        undefined,
      ),
    ).toEqual([
      { role: 'system', content: 'S' },
      { role: 'assistant', content: 'think\nf\n{"x":1}' },
    ]);
  });

  it('maps LangChain messages and reads the run’s model and output limit', () => {
    const message = (type: string, content: unknown) => ({ getType: () => type, content });
    expect(
      langChainMessages([[message('human', 'Q'), message('ai', [{ type: 'text', text: 'A' }])]]),
    ).toEqual([
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A' },
    ]);
    expect(
      langChainRunInfo({ invocation_params: { model: 'gpt-4o', max_completion_tokens: 99 } }, {}),
    ).toEqual({ model: 'gpt-4o', maxOutputTokens: 99 });
    expect(
      langChainRunInfo({}, { ls_model_name: 'claude-sonnet-4-6', ls_max_tokens: 512 }),
    ).toEqual({
      model: 'claude-sonnet-4-6',
      maxOutputTokens: 512,
    });
  });
});
