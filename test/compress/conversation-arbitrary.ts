import fc from 'fast-check';
import { SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import type { ChatMessage, ToolCall } from '../../src/tokens/chat-message.js';

const SENTENCES = [
  'The deploy key is K-93121.',
  'Config lives in /srv/app/config.yaml for now.',
  'See https://example.com/x?id=7 for details.',
  'Dr. Alice Moreno approved the change, e.g. the cache part.',
  'Pi is 3.14 and the version is v2.3.1.',
  'We should look at the queue next.',
  'The worker seems slow after the migration.',
  'Let me check the logs first.',
  'Port 8443 is open on db-2.internal.',
  'The U.S. region is fine.',
  'Why is the build red?',
  'ok',
  '',
];
const ACKS = ['ok thanks', 'Great!', 'Sounds good.', 'thanks', '👍'];
const HUGE = Array.from({ length: 400 }, (_, i) => `line ${i}: status=ok latency=${i % 97}ms`).join(
  '\n',
);

const text = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(fc.constantFrom(...SENTENCES), { maxLength: 7 }).map((s) => s.join(' ')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...ACKS) },
);

/**
 * A number in [min, max] in steps of 1/1000 of the range (fc.double is uniform over bit patterns,
 * so most of its values would be tiny).
 */
export function fraction(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 1000 }).map((n) => min + ((max - min) * n) / 1000);
}

/** One step inside a turn, after its user message. */
type Step =
  | { kind: 'say'; text: string }
  | { kind: 'tools'; calls: number; outputs: string[]; answered: boolean }
  | { kind: 'system'; text: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => ({ kind: 'say' as const, text: t })) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        calls: fc.integer({ min: 1, max: 2 }),
        outputs: fc.array(
          fc.oneof({ weight: 12, arbitrary: text }, { weight: 1, arbitrary: fc.constant(HUGE) }),
          {
            minLength: 2,
            maxLength: 2,
          },
        ),
        answered: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
      })
      .map((r) => ({ kind: 'tools' as const, ...r })),
  },
  { weight: 1, arbitrary: text.map((t) => ({ kind: 'system' as const, text: t })) },
);

/** A generated case: a conversation and compression options except the budget. */
export interface ConversationCase {
  readonly messages: ChatMessage[];
  readonly keepRecent: number;
  readonly pinned: number[];
  readonly model: string;
  readonly margin: number;
  /** Where the budget falls between the protected size and the whole size, 0..1. */
  readonly budgetAt: number;
  /** When set, the budget is this fraction of the protected size (often too small). */
  readonly belowProtected: number | undefined;
  readonly summaryMaxShare: number;
}

function build(
  system: string[],
  oldSummary: string | undefined,
  turns: { user: string; steps: Step[] }[],
  repeatFirstOutput: boolean,
): ChatMessage[] {
  const messages: ChatMessage[] = system.map((content, i) => ({
    role: i % 2 === 0 ? 'system' : 'developer',
    content,
  }));
  if (oldSummary !== undefined) {
    messages.push({ role: 'system', content: `${SUMMARY_MARKER}\nuser: ${oldSummary}` });
  }
  let nextId = 0;
  let firstOutput: string | undefined;
  for (const turn of turns) {
    messages.push({ role: 'user', content: turn.user });
    for (const s of turn.steps) {
      if (s.kind === 'say') messages.push({ role: 'assistant', content: s.text });
      else if (s.kind === 'system') messages.push({ role: 'system', content: s.text });
      else {
        const calls: ToolCall[] = Array.from({ length: s.calls }, () => {
          const id = `call_${nextId++}`;
          return {
            id,
            type: 'function',
            function: { name: 'read_file', arguments: `{"path":"/srv/${id}.txt"}` },
          };
        });
        messages.push({ role: 'assistant', content: '', tool_calls: calls });
        if (!s.answered) continue;
        calls.forEach((call, j) => {
          let content = s.outputs[j] ?? '';
          if (firstOutput === undefined && content.length >= 64) firstOutput = content;
          else if (repeatFirstOutput && firstOutput !== undefined && j === 0) content = firstOutput;
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        });
      }
    }
  }
  return messages;
}

/** Conversations with system prompts, an occasional earlier summary, tool pairs, acks and huge outputs. */
export const conversationCase: fc.Arbitrary<ConversationCase> = fc
  .record({
    system: fc.array(text, { maxLength: 2 }),
    oldSummary: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: text },
    ),
    turns: fc.array(fc.record({ user: text, steps: fc.array(step, { maxLength: 3 }) }), {
      maxLength: 16,
    }),
    repeat: fc.boolean(),
    keepRecent: fc.integer({ min: 0, max: 4 }),
    pinSeeds: fc.array(fc.nat(), { maxLength: 3 }),
    model: fc.constantFrom('gpt-4o', 'gpt-4', 'claude-sonnet-4-5'),
    margin: fraction(1, 2),
    budgetAt: fraction(0, 1),
    belowProtected: fc.oneof(
      { weight: 7, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fraction(0.1, 1) },
    ),
    summaryMaxShare: fc.constantFrom(0.5, 0.5, 0.2, 0.9, 0),
  })
  .map((r) => {
    const messages = build(r.system, r.oldSummary, r.turns, r.repeat);
    const pinned = messages.length === 0 ? [] : r.pinSeeds.map((p) => p % messages.length);
    return {
      messages,
      keepRecent: r.keepRecent,
      pinned,
      model: r.model,
      margin: r.margin,
      budgetAt: r.budgetAt,
      belowProtected: r.belowProtected,
      summaryMaxShare: r.summaryMaxShare,
    };
  });
