import type { GovernedAgent } from '../agents/governed-agent.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { expectId, expectObject, expectPositiveInt, invalid } from '../validate.js';
import {
  compactionTarget,
  DEFAULT_COMPACTION_POLICY,
  validateCompactionPolicy,
  type CompactionPolicy,
} from './compaction-policy.js';
import type { CompressOptions, CompressResult } from './compress-options.js';
import type { Summarizer } from './compressor.js';

/** How an agent's own context is compacted when it is warned. */
export interface CompactOnWarnOptions {
  /** The model the context is sent to (counts and summary budget). @default the agent's model */
  readonly model?: string;
  /** The context size the policy is a fraction of, in tokens (e.g. the model's context length). */
  readonly contextTokens: number;
  /** @default { highWater: 0.85, lowWater: 0.5 } */
  readonly policy?: CompactionPolicy;
  /** Returns the agent's current messages. */
  readonly read: () => readonly ChatMessage[];
  /** Receives the compacted messages (and what was done). */
  readonly write: (messages: ChatMessage[], result: CompressResult) => void;
  readonly keepRecent?: number;
  readonly pinned?: readonly number[];
  readonly summarizer?: Summarizer;
}

/** Stops the hook; `settled()` resolves once no compaction is running (for tests and shutdown). */
export type CompactionStop = (() => void) & { settled(): Promise<void> };

/** What the hook needs from the kernel. */
export interface CompactionHost {
  readonly tokens: TokenCounter;
  compress(
    messages: readonly ChatMessage[],
    options: CompressOptions & { summarizer?: Summarizer; agentId?: string },
  ): Promise<CompressResult>;
  on(type: 'compaction', handler: (e: { agentId: string; reason: string }) => void): () => void;
  reportError(error: unknown): void;
}

/**
 * Compacts an agent's context on SIGWARN when it has reached the high-water mark, down to the
 * low-water mark (rarely and deeply, so the provider's prompt cache is not rewritten each turn);
 * a `compaction` request (a rule, an operator) compacts at once. Runs never overlap. Returns the
 * function that stops it.
 */
export function compactOnWarn(
  host: CompactionHost,
  agent: GovernedAgent,
  options: CompactOnWarnOptions,
): CompactionStop {
  const o = expectObject('options', options);
  const contextTokens = expectPositiveInt('contextTokens', o['contextTokens']);
  const policy =
    o['policy'] === undefined ? DEFAULT_COMPACTION_POLICY : validateCompactionPolicy(o['policy']);
  if (typeof options.read !== 'function')
    invalid('read', 'a function returning the messages', options.read);
  if (typeof options.write !== 'function')
    invalid('write', 'a function receiving the compacted messages', options.write);
  const model = options.model === undefined ? agent.model : expectId('model', options.model);
  if (model === undefined) invalid('model', 'a model id (the agent has no default `model`)', model);
  let current: Promise<void> | undefined;

  const run = (force: boolean): void => {
    if (current !== undefined) return;
    current = compact(force).finally(() => {
      current = undefined;
    });
  };
  const compact = async (force: boolean): Promise<void> => {
    try {
      const messages = options.read();
      const { tokens } = await host.tokens.count(messages, model);
      if (!force && tokens < policy.highWater * contextTokens) return;
      const maxTokens = compactionTarget(contextTokens, policy);
      if (tokens <= maxTokens) return;
      const result = await host.compress(messages, {
        model,
        maxTokens,
        agentId: agent.id,
        ...(options.keepRecent !== undefined && { keepRecent: options.keepRecent }),
        ...(options.pinned !== undefined && { pinned: options.pinned }),
        ...(options.summarizer !== undefined && { summarizer: options.summarizer }),
      });
      options.write(result.messages, result);
    } catch (error) {
      host.reportError(error);
    }
  };
  const offWarn = agent.on('SIGWARN', () => run(false));
  const offRequest = host.on('compaction', (e) => {
    if (e.agentId === agent.id) run(true);
  });
  const stop = (): void => {
    offWarn();
    offRequest();
  };
  return Object.assign(stop, { settled: () => current ?? Promise.resolve() });
}
