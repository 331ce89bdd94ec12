import type { ChatMessage } from '../tokens/chat-message.js';
import { extractFacts } from './facts.js';

// Words of acknowledgements and pleasantries. "yes" and "no" are absent: they answer questions.
const FILLER: ReadonlySet<string> = new Set(
  (
    'ok okay k kk sure thanks thank thx ty you great cool nice perfect awesome good got it ' +
    'sounds alright all right yep yeah noted understood will do hi hello hey please continue go ' +
    'ahead proceed lol np problem welcome youre you’re your thats that’s that is a the and so ' +
    'much very lot appreciate appreciated done wonderful excellent amazing indeed exactly ' +
    'gotcha hmm mm i see cheers fine then makes sense glad to help happy me know let are is ' +
    'was worries anytime my pleasure'
  ).split(' '),
);

/** Longest filler-only message, in words, treated as low-signal. */
const MAX_FILLER_WORDS = 12;

/**
 * True when a message carries no information worth a token: empty content, or a short
 * acknowledgement ("ok thanks", "Sounds good!") with no question and no fact. Messages with tool
 * calls, tool results and system messages never are.
 */
export function isLowSignal(message: ChatMessage): boolean {
  if (message.role === 'tool' || message.role === 'system' || message.role === 'developer')
    return false;
  if ((message.tool_calls?.length ?? 0) > 0) return false;
  const content = message.content.trim();
  if (content.length === 0) return true;
  if (content.includes('?')) return false;
  const words = content.toLowerCase().match(/[\p{L}\p{N}’']+/gu) ?? [];
  if (words.length > MAX_FILLER_WORDS) return false;
  if (!words.every((word) => FILLER.has(word.replace(/'/g, '')))) return false;
  return extractFacts(content).length === 0;
}
