import type { Priority } from '../agents/priority.js';

/** One simulated agent of the demo. */
export interface DemoRole {
  readonly id: string;
  readonly priority: Priority;
  readonly model: string;
  readonly task: string;
  readonly userId: string;
  readonly maxTokens?: number;
  /** Calls it wants to make; Infinity for the runaway. */
  readonly steps: number;
  readonly system: string;
  /**
   * `governed`: agent.call with a fresh prompt each step; `cached`: repeats a small set of
   * questions at temperature 0 (the response cache pays); `naive`: calls first and books with
   * record() after, with no reservation (the runaway); `compacting`: governed, and compresses its
   * own history when warned.
   */
  readonly style: 'governed' | 'cached' | 'naive' | 'compacting';
}

/** The demo's cast: at least these; more agents are cache-sharing support agents. */
export const CORE_ROLES: readonly DemoRole[] = [
  {
    id: 'planner',
    priority: 'high',
    model: 'gpt-4o',
    task: 'q3-plan',
    userId: 'alice',
    maxTokens: 14_000,
    steps: 5,
    style: 'governed',
    system: 'You plan the quarterly review: break it into research and writing tasks with owners.',
  },
  {
    id: 'researcher',
    priority: 'normal',
    model: 'gpt-4o-mini',
    task: 'q3-plan',
    userId: 'alice',
    maxTokens: 6_000,
    steps: 14,
    style: 'governed',
    system: 'You research revenue, churn and pipeline figures and report facts with sources.',
  },
  {
    id: 'writer',
    priority: 'low',
    model: 'claude-3-5-haiku-latest',
    task: 'q3-plan',
    userId: 'dana',
    maxTokens: 9_000,
    steps: 12,
    style: 'compacting',
    system: 'You write the final summary for executives in plain language.',
  },
  {
    id: 'runaway',
    priority: 'normal',
    model: 'gpt-4o',
    task: 'crawler',
    userId: 'bob',
    maxTokens: 8_000,
    steps: Infinity,
    style: 'naive',
    system: 'You crawl every page you find and summarize each one, forever.',
  },
  {
    id: 'support-1',
    priority: 'low',
    model: 'gpt-4o-mini',
    task: 'support',
    userId: 'carol',
    maxTokens: 5_000,
    steps: 8,
    style: 'cached',
    system: 'You answer customer questions about invoices from the help center.',
  },
];

/** Extra support agents for `--agents` above the core cast. */
export function extraRole(n: number): DemoRole {
  return {
    id: `support-${n}`,
    priority: 'low',
    model: 'gpt-4o-mini',
    task: 'support',
    userId: 'carol',
    maxTokens: 5_000,
    steps: 8,
    style: 'cached',
    system: 'You answer customer questions about invoices from the help center.',
  };
}

/** The questions cache-sharing agents ask (several agents ask the same ones: they pay once). */
export const FAQ = [
  'How do I download an invoice?',
  'Why was I charged twice?',
  'How do I change the billing email?',
];
