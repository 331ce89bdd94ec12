import type { ChatMessage } from '../tokens/chat-message.js';
import type { CompressionWork } from './compression-work.js';
import type { SummarySource } from './extractive-summary.js';
import { isSummaryBlock, parseSummaryBlock } from './summary-block.js';

const DEDUPED = /^\[Same output as the later result of call [^\]]*\]$/;

/** Score bonus of a source by role: the user's own words and earlier summaries matter most. */
const PRIOR = {
  user: 0.1,
  summary: 0.1,
  system: 0.1,
  assistant: 0,
  call: -0.05,
  tool: -0.05,
} as const;

function safeName(name: string): string {
  return name.replace(/[^\w.-]/g, '_').slice(0, 40);
}

function toolName(work: CompressionWork, i: number): string | undefined {
  const id = work.current(i)?.tool_call_id;
  const atom = work.layout.atoms[work.layout.atomOf[i] ?? -1] ?? [];
  for (const j of atom) {
    const call = work.original(j)?.tool_calls?.find((c) => c.id === id);
    if (call !== undefined) return safeName(call.function.name);
  }
  return undefined;
}

function messageSources(work: CompressionWork, i: number, text: string): SummarySource[] {
  const m = work.current(i) as ChatMessage;
  if (isSummaryBlock(m)) {
    return parseSummaryBlock(m.content).map((line) => ({ ...line, prior: PRIOR.summary }));
  }
  const sources: SummarySource[] = [];
  if (m.role === 'tool') {
    const name = toolName(work, i);
    if (!DEDUPED.test(text)) {
      sources.push({
        label: name === undefined ? 'tool' : `tool ${name}`,
        text,
        prior: PRIOR.tool,
      });
    }
  } else if (m.role === 'user') {
    const label = m.name === undefined ? 'user' : `user ${safeName(m.name)}`;
    sources.push({ label, text, prior: PRIOR.user });
  } else if (m.role === 'assistant') {
    sources.push({ label: 'assistant', text, prior: PRIOR.assistant });
    for (const call of m.tool_calls ?? []) {
      const args = call.function.arguments;
      sources.push({
        label: 'assistant call',
        text: `${safeName(call.function.name)}(${args})`,
        prior: PRIOR.call,
      });
    }
  } else {
    sources.push({ label: 'system', text, prior: PRIOR.system });
  }
  return sources;
}

/**
 * What the summary of `atoms` draws from: each message's text (the full original of an output
 * the lossless pass cut; nothing for an output replaced by a reference to its repeat), tool call
 * arguments, the lines of an earlier summary block, and the omitted middles of cut outputs that
 * stay in the conversation. Also the messages an LLM summarizer is shown (their current form).
 */
export function summarySources(
  work: CompressionWork,
  atoms: readonly number[],
  omitted: ReadonlyMap<number, string>,
): { sources: SummarySource[]; request: ChatMessage[] } {
  const sources: SummarySource[] = [];
  const request: ChatMessage[] = [];
  const members = atoms.flatMap((a) => work.layout.atoms[a] ?? []).sort((a, b) => a - b);
  const summarized = new Set(members);
  for (const i of members) {
    const m = work.current(i);
    if (m === null) continue;
    request.push(m);
    const text = omitted.has(i) ? (work.original(i)?.content ?? m.content) : m.content;
    sources.push(...messageSources(work, i, text));
  }
  for (const [i, middle] of [...omitted].sort((a, b) => a[0] - b[0])) {
    if (summarized.has(i) || work.current(i) === null) continue;
    const name = toolName(work, i);
    sources.push({
      label: `tool ${name ?? 'output'} (omitted part)`,
      text: middle,
      prior: PRIOR.tool,
    });
  }
  return { sources, request };
}
