import type { ChatMessage } from '../tokens/chat-message.js';

/**
 * First line of every summary block. A later compression recognises a `system` message that
 * starts with it as an earlier summary and re-summarizes its lines instead of nesting blocks.
 */
export const SUMMARY_MARKER = '[Summary of earlier conversation]';

/**
 * True when `message` is a summary block written by the compressor: a `system` message whose
 * content starts with {@link SUMMARY_MARKER}.
 */
export function isSummaryBlock(message: ChatMessage): boolean {
  return message.role === 'system' && message.content.startsWith(SUMMARY_MARKER);
}

/**
 * The summary block for `body`. It is a `system` message so that the user's turns stay the
 * user's own words, and it sits right after the leading system prompt so the prompt's cached
 * prefix survives compaction.
 */
export function summaryBlock(body: string): ChatMessage {
  return { role: 'system', content: `${SUMMARY_MARKER}\n${body}` };
}

/** One `label: text` line of a summary body. */
export interface SummaryLine {
  readonly label: string;
  readonly text: string;
}

const LINE = /^([a-z][\w .()-]{0,60}): (.*)$/;

/** Splits a summary block's content back into labelled lines (unlabelled lines get `note`). */
export function parseSummaryBlock(content: string): SummaryLine[] {
  const body = content.startsWith(SUMMARY_MARKER) ? content.slice(SUMMARY_MARKER.length) : content;
  const lines: SummaryLine[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const match = LINE.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined)
      lines.push({ label: match[1], text: match[2] });
    else lines.push({ label: 'note', text: line });
  }
  return lines;
}
