import type { AgentCore } from '../agents/agent-core.js';
import type { ReservationCore } from '../agents/reservation-core.js';
import type { SignalLimit } from '../agents/signal.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { CallCap } from '../budget/limit-registry.js';
import { reservationIdOf } from '../budget/usage-record.js';
import { BudgetExceededError, KernelError } from '../errors.js';
import { expectId, invalid } from '../validate.js';

/** Why a reservation was refused: the limit, its unit, what was asked and what was left. */
export interface Refusal {
  readonly limit: string;
  readonly scope: SignalLimit['scope'] | 'call' | 'lookup' | 'reasoning';
  readonly unit: 'tokens' | 'usd';
  readonly requested: number;
  readonly available: number;
}

/** The first hard per-call cap a reservation of `tokens` and `nano` would break. */
export function checkCaps(
  caps: readonly CallCap[],
  tokens: number,
  nano: number,
): Refusal | undefined {
  for (const cap of caps) {
    if (!cap.hard) continue;
    if (tokens > cap.tokens) return refusal(cap.name, 'call', 'tokens', tokens, cap.tokens);
    if (nano > cap.nano) return refusal(cap.name, 'call', 'usd', nano / 1e9, cap.nano / 1e9);
  }
  return undefined;
}

/**
 * The first hard limit among `counters` that holding `tokens` and `nano` more would break (a
 * shared limit's lease is asked to refill then).
 */
export function checkCounters(
  counters: readonly LimitCounter[],
  tokens: number,
  nano: number,
): Refusal | undefined {
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i] as LimitCounter;
    if (!c.limit.hard) continue;
    if (c.usedTokens + c.reservedTokens + tokens > c.capTokens) {
      if (c.lease !== undefined) c.lease.low();
      return refusal(c.limit.name, c.limit.scope, 'tokens', tokens, c.freeTokens);
    }
    if (c.usedNano + c.reservedNano + nano > c.capNano) {
      if (c.lease !== undefined) c.lease.low();
      return refusal(c.limit.name, c.limit.scope, 'usd', nano / 1e9, c.freeNano / 1e9);
    }
  }
  return undefined;
}

/** A refusal, with what was left clamped at zero. */
export function refusal(
  limit: string,
  scope: Refusal['scope'],
  unit: Refusal['unit'],
  requested: number,
  available: number,
): Refusal {
  return { limit, scope, unit, requested, available: Math.max(0, available) };
}

/** The call's model: the one given, else the agent's default. */
export function modelOf(core: AgentCore, model: string | undefined): string {
  // On every call: the common cases (the default model, the model of the last call) stay small.
  if (model === undefined) return core.defaultModel ?? noModel();
  return model === core.lastModel ? model : expectId('model', model);
}

function noModel(): never {
  return invalid('model', 'a model id (the agent has no default `model`)', undefined);
}

/** A reservation's time to live, checked. */
export function ttlOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    invalid('ttlMs', 'a positive safe integer of milliseconds', value);
  return value;
}

/** The error for a call through an agent that has ended (released or killed). */
export function ended(core: AgentCore, hint: string): KernelError {
  return new KernelError('AGENT_RELEASED', `Agent \`${core.id}\` is ${core.state}; ${hint}`, {
    details: { agentId: core.id },
  });
}

/** The error for an agent that may not reserve now (waiting, stopped, or ended). */
export function notRunnable(core: AgentCore): KernelError {
  if (core.final) return ended(core, 'it can no longer reserve');
  const causes = [...core.stopCauses.keys()];
  const why =
    core.state === 'waiting'
      ? 'is waiting for a window'
      : `is stopped by ${causes.map((c) => `\`${c}\``).join(', ')}`;
  return new KernelError(
    'AGENT_NOT_RUNNABLE',
    `Agent \`${core.id}\` ${why}; await agent.whenRunnable() or grant/resume it`,
    {
      details: { agentId: core.id, state: core.state, causes },
    },
  );
}

/** The error for settling a reservation twice. */
export function settled(r: ReservationCore): KernelError {
  return new KernelError(
    'RESERVATION_SETTLED',
    `Reservation \`${reservationIdOf(r.seq)}\` of agent \`${r.agent.id}\` is already ${r.state}`,
    {
      details: { reservationId: reservationIdOf(r.seq), state: r.state },
    },
  );
}

/** The error for a refused reservation. */
export function budgetError(core: AgentCore, r: Refusal): BudgetExceededError {
  const fmt = (n: number): string =>
    r.unit === 'usd' ? `$${n.toFixed(6)}` : `${n.toLocaleString('en-US')} tokens`;
  return new BudgetExceededError(
    `Reservation of ${fmt(r.requested)} for agent \`${core.id}\` refused: limit \`${r.limit}\` has ${fmt(r.available)} left`,
    { agentId: core.id, ...r },
  );
}
