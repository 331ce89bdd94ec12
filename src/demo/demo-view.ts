import type { GovernedAgent } from '../agents/governed-agent.js';
import { formatBar } from '../kernel/kernel-status.js';

/** Where the demo prints: plain lines, or live bars redrawn in place on a TTY. */
export interface DemoView {
  /** A line that stays (signals, grants, the report). */
  line(text: string): void;
  /** Redraws the agents' bars (TTY only; throttled). */
  update(): void;
  /** Draws the final state and stops redrawing. */
  end(): void;
}

/** Plain lines, for pipes and logs. */
export function plainView(write: (line: string) => void): DemoView {
  return { line: write, update: () => undefined, end: () => undefined };
}

/**
 * Live per-agent progress bars at the bottom of the terminal: lines that stay are printed above
 * them, and the block is redrawn in place (ANSI cursor-up and erase-line), at most every `everyMs`.
 */
export function ttyView(
  write: (chunk: string) => void,
  agents: () => readonly GovernedAgent[],
  now: () => number,
  everyMs = 80,
): DemoView {
  let drawn = 0;
  let last = -Infinity;
  const erase = (): void => {
    if (drawn > 0) write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    const rows = agents().map((a) => {
      const w = a.window;
      const state = a.state.padEnd(8);
      return `  ${a.id.padEnd(11)} ${state} ${formatBar(w.used, w.total)}`;
    });
    write(`${rows.join('\n')}\n`);
    drawn = rows.length;
    last = now();
  };
  return {
    line(text) {
      erase();
      write(`${text}\n`);
      draw();
    },
    update() {
      if (now() - last < everyMs) return;
      erase();
      draw();
    },
    end() {
      erase();
      draw();
    },
  };
}
