import type { RecordOrigin } from './ledger-recent.js';

/**
 * Who a record is booked to, resolved once (at spawn) by `Ledger.attribution()` so that
 * `Ledger.add` does no lookups. Missing ids read as `NO_KEY`. Only valid with the ledger that
 * made it.
 */
export interface Attribution {
  readonly agentId: string;
  readonly taskId: string;
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * The ledger's private side of an {@link Attribution}: the key numbers of the agent, task, user
 * and session, and the counter cell of the model used last (agents rarely switch models; other
 * models' cells are found in `cells`, then in the ledger).
 * @internal
 */
export class AttributionHandle implements Attribution {
  // Fields every record reads come first: V8 lays them out in declaration order.
  /** Identifies the ledger that owns the keys and cells. */
  readonly owner: object;
  /** The model of the last record and its cell. */
  model = '';
  cell = -1;
  /** The ledger's hour count when `cell` was last known to be in the current hour (-1: never). */
  hour = -1;
  /** What the kept records of `model` priced from `source` refer to (see `RecentRecords`). */
  origin: RecordOrigin | undefined = undefined;
  source = '';
  readonly agentId: string;
  readonly taskId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly agentKey: number;
  readonly taskKey: number;
  readonly userKey: number;
  readonly sessionKey: number;
  /** Cells of the models this handle used, by model. */
  readonly cells = new Map<string, number>();

  constructor(
    owner: object,
    agentId: string,
    taskId: string,
    userId: string,
    sessionId: string,
    agentKey: number,
    taskKey: number,
    userKey: number,
    sessionKey: number,
  ) {
    this.owner = owner;
    this.agentId = agentId;
    this.taskId = taskId;
    this.userId = userId;
    this.sessionId = sessionId;
    this.agentKey = agentKey;
    this.taskKey = taskKey;
    this.userKey = userKey;
    this.sessionKey = sessionKey;
  }
}
