import { validateThresholds } from '../budget/limit-registry.js';
import {
  invalid,
  expectId,
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectOptionalId,
  expectPositiveInt,
} from '../validate.js';
import { PRIORITIES, type Priority } from './priority.js';

/** Shared by every agent spawned without labels. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** What `kernel.spawn` and `agent.spawn` accept. */
export interface SpawnOptions {
  /** Unique among live agents. */
  readonly id: string;
  /** The task the agent works on, for attribution and task limits. */
  readonly task?: string;
  /** @default 'normal' */
  readonly priority?: Priority;
  /** Exact window size in tokens; without it, a priority share of what is available. */
  readonly maxTokens?: number;
  readonly userId?: string;
  readonly sessionId?: string;
  /** Free-form labels (string values), kept with the agent. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Default model for `reserve`/`record`/`call` when none is given. */
  readonly model?: string;
  /** Lookup (input) share of the window. @default the kernel's `lookupRatio` (0.9) */
  readonly lookupRatio?: number;
  /** Make the lookup/reasoning split a hard limit. @default the kernel's `enforceSplit` (false) */
  readonly enforceSplit?: boolean;
  /** SIGWARN thresholds for this agent's window. @default the kernel's `warnThresholds` */
  readonly warnThresholds?: readonly number[];
}

/** Spawn options with every default applied. */
export interface ResolvedSpawnOptions {
  readonly id: string;
  readonly taskId: string | undefined;
  readonly priority: Priority;
  readonly maxTokens: number | undefined;
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly model: string | undefined;
  readonly lookupRatio: number;
  readonly enforceSplit: boolean;
  readonly warnThresholds: readonly number[];
}

const KNOWN = new Set([
  'id',
  'task',
  'priority',
  'maxTokens',
  'userId',
  'sessionId',
  'labels',
  'model',
  'lookupRatio',
  'enforceSplit',
  'warnThresholds',
]);

/**
 * Validates spawn options; a child inherits task, user, session and model from its parent.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function resolveSpawnOptions(
  value: unknown,
  defaults: { lookupRatio: number; enforceSplit: boolean; warnThresholds: readonly number[] },
  parent?: {
    taskId: string | undefined;
    userId: string | undefined;
    sessionId: string | undefined;
    defaultModel: string | undefined;
  },
): ResolvedSpawnOptions {
  const o = expectObject('options', value);
  for (const key of Object.keys(o))
    if (!KNOWN.has(key)) invalid(`options.${key}`, `one of ${[...KNOWN].join(', ')}`, key);
  const labels = o['labels'] === undefined ? NO_LABELS : expectObject('labels', o['labels']);
  for (const [k, v] of Object.entries(labels))
    if (typeof v !== 'string') invalid(`labels.${k}`, 'a string', v);
  if (o['enforceSplit'] !== undefined && typeof o['enforceSplit'] !== 'boolean')
    invalid('enforceSplit', 'a boolean', o['enforceSplit']);
  return {
    id: expectId('id', o['id']),
    taskId: expectOptionalId('task', o['task']) ?? parent?.taskId,
    priority:
      o['priority'] === undefined ? 'normal' : expectOneOf('priority', o['priority'], PRIORITIES),
    maxTokens:
      o['maxTokens'] === undefined ? undefined : expectPositiveInt('maxTokens', o['maxTokens']),
    userId: expectOptionalId('userId', o['userId']) ?? parent?.userId,
    sessionId: expectOptionalId('sessionId', o['sessionId']) ?? parent?.sessionId,
    labels: labels as Record<string, string>,
    model: expectOptionalId('model', o['model']) ?? parent?.defaultModel,
    lookupRatio:
      o['lookupRatio'] === undefined
        ? defaults.lookupRatio
        : expectNumberIn('lookupRatio', o['lookupRatio'], 0, 1),
    enforceSplit: (o['enforceSplit'] as boolean | undefined) ?? defaults.enforceSplit,
    warnThresholds:
      o['warnThresholds'] === undefined
        ? defaults.warnThresholds
        : validateThresholds(o['warnThresholds'], 'warnThresholds'),
  };
}
