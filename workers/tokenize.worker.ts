import { countText } from '../src/tokens/bpe-count.js';
import type { TokenizeResult, TokenizeTask } from '../src/tokens/tokenize-protocol.js';

/**
 * Counts each text of a task (piscina handler). The BPE ranks load on the first task and stay for
 * the thread's life. An unexpected error leaves the thread's state in doubt, so the thread exits
 * at once: piscina rejects the task ("worker exited with code: 1") and replaces the thread. (It
 * cannot exit after answering: between tasks piscina parks the thread in `Atomics.wait`.)
 */
export default function tokenize(task: TokenizeTask): TokenizeResult {
  try {
    return task.texts.map((text) => countText(text, task.encoding, task.backend));
  } catch {
    process.exit(1);
  }
}
