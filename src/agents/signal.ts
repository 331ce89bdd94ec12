/** The signals a governed agent receives. */
export type SignalName = 'SIGWARN' | 'SIGSTOP' | 'SIGRESUME' | 'SIGKILL';

/** The limit a signal is about: the agent's own window, or a configured limit. */
export interface SignalLimit {
  /** `window` for the agent's context window, else the limit's scope. */
  readonly scope:
    'window' | 'pool' | 'manual' | 'agent' | 'task' | 'user' | 'session' | 'model' | 'org';
  /** The limit's name, e.g. `user:alice:day:usd`. */
  readonly name: string;
  /** `tokens` or `usd`. */
  readonly unit: 'tokens' | 'usd';
  /** The threshold that was crossed (SIGWARN), else 1. */
  readonly threshold: number;
  /** Used / reserved / total in the limit's unit (USD as a number for `usd`). */
  readonly used: number;
  readonly reserved: number;
  readonly total: number;
}

/** One signal delivery, as given to `agent.on(...)` and `kernel.on('signal', ...)`. */
export interface SignalEvent {
  readonly type: 'agent.signal';
  readonly agentId: string;
  readonly signal: SignalName;
  readonly limit: SignalLimit;
  /** Why, in words: "window 85% used", "granted 5,000 tokens", … */
  readonly reason: string;
  /** The agent's window at the time: used / reserved / total tokens. */
  readonly used: number;
  readonly reserved: number;
  readonly total: number;
  /** ms since the epoch. */
  readonly time: number;
}
