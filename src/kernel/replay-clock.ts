import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { CoarseClock } from '../coarse-clock.js';

/** The time a replay is at: the time of the journal entry being applied (undefined: live). */
export interface ReplayTime {
  at: number | undefined;
}

/**
 * A clock that, while a journal replays, reads the time of the entry being applied, so replayed
 * operations see the moment they first ran (a resume rolls the periods that had ended then, not
 * those ended since). A timer armed during replay fires when it would have: its delay is counted
 * from the entry's time.
 */
export class ReplayClock implements Clock {
  readonly #source: Clock;
  readonly #time: ReplayTime;

  constructor(source: Clock, time: ReplayTime) {
    this.#source = source;
    this.#time = time;
  }

  now(): number {
    return this.#time.at ?? this.#source.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const at = this.#time.at;
    return this.#source.setTimeout(fn, at === undefined ? ms : ms - (this.#source.now() - at));
  }

  clearTimeout(handle: TimerHandle): void {
    this.#source.clearTimeout(handle);
  }
}

/**
 * The kernel's clocks: `clock` for everything, `hot` for the accounting path (the system clock
 * read coarsely there; an injected clock as is). With a store, both follow a replay's time.
 */
export function kernelClocks(
  source: Clock,
  replayable: boolean,
  time: ReplayTime,
): { clock: Clock; hot: Clock } {
  const coarse = source === systemClock ? new CoarseClock(systemClock) : source;
  if (!replayable) return { clock: source, hot: coarse };
  return { clock: new ReplayClock(source, time), hot: new ReplayClock(coarse, time) };
}
