/**
 * A deterministic generator of realistic JSONL usage logs for the report benchmark: a mix of
 * kernel usage records, OpenAI chat usage, Anthropic messages, AI SDK v6 usage and OpenTelemetry
 * spans, from 50 agents, 200 users and 5,000 sessions over a month, in time order.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../src/demo/seeded-random.js';

const MODELS_KERNEL = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-20250514'];
const START = Date.UTC(2026, 0, 1);

/** Writes lines until the file has at least `targetBytes`; returns lines and bytes written. */
export function writeUsageJsonl(
  path: string,
  targetBytes: number,
  seed: number,
): { lines: number; bytes: number } {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random.next() * max);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let lines = 0;
  let time = START;
  try {
    while (bytes < targetBytes) {
      const parts: string[] = [];
      let size = 0;
      while (size < 4_000_000) {
        time += 1 + int(1_600);
        const agent = `agent-${int(50)}`;
        const user = `user-${int(200)}`;
        const session = `session-${int(5_000)}`;
        const task = `task-${int(20)}`;
        const input = 200 + int(12_000);
        const cached = int(3) === 0 ? Math.floor(input * 0.6) : 0;
        const output = 20 + int(1_500);
        const kind = random.next();
        let line: string;
        if (kind < 0.5) {
          const model = MODELS_KERNEL[int(MODELS_KERNEL.length)]!;
          line = JSON.stringify({
            seq: lines + 1,
            time,
            agentId: agent,
            taskId: task,
            userId: user,
            sessionId: session,
            model,
            usage: { inputTokens: input, outputTokens: output, cacheReadTokens: cached },
            costNano: input * 2_500 + output * 10_000,
            priceSource: 'genai-prices@0.1.8',
            cached: false,
            savedNano: 0,
          });
        } else if (kind < 0.7) {
          line = JSON.stringify({
            model: 'gpt-4o-mini',
            usage: {
              prompt_tokens: input,
              completion_tokens: output,
              total_tokens: input + output,
              prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
            },
            agent,
            user,
            task,
            session,
            time: new Date(time).toISOString(),
          });
        } else if (kind < 0.85) {
          line = JSON.stringify({
            id: `msg_${lines.toString(36)}`,
            type: 'message',
            model: 'claude-sonnet-4-20250514',
            usage: {
              input_tokens: input - cached,
              cache_read_input_tokens: cached,
              cache_creation_input_tokens: 0,
              output_tokens: output,
              service_tier: 'standard',
            },
            metadata: { agent, user, session },
            timestamp: Math.floor(time / 1000),
          });
        } else if (kind < 0.9) {
          line = JSON.stringify({
            model: 'gpt-4.1',
            usage: {
              inputTokens: input,
              inputTokenDetails: {
                noCacheTokens: input - cached,
                cacheReadTokens: cached,
                cacheWriteTokens: 0,
              },
              outputTokens: output,
              outputTokenDetails: { textTokens: output, reasoningTokens: 0 },
              totalTokens: input + output,
            },
            labels: { agent, user, task },
            time,
          });
        } else {
          line = JSON.stringify({
            name: 'chat gpt-4o',
            traceId: (lines * 7919).toString(16).padStart(32, '0'),
            spanId: lines.toString(16).padStart(16, '0'),
            kind: 3,
            startTimeUnixNano: `${time}000000`,
            endTimeUnixNano: `${time + 900}000000`,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.usage.input_tokens': input,
              'gen_ai.usage.output_tokens': output,
              'gen_ai.usage.cache_read.input_tokens': cached,
              'gen_ai.agent.id': agent,
              'gen_ai.conversation.id': session,
            },
          });
        }
        parts.push(line);
        size += line.length + 1;
        lines++;
      }
      const chunk = `${parts.join('\n')}\n`;
      writeSync(fd, chunk);
      bytes += Buffer.byteLength(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { lines, bytes };
}
