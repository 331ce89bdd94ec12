import { describe, expect, it } from 'vitest';
import { WindowTuner } from '../../src/cache/window-tuner.js';

describe('WindowTuner', () => {
  it('grows the window when a key refused at the window comes back', () => {
    const tuner = new WindowTuner(1000, 0.1);
    tuner.leftWindow(1, 40);
    expect(tuner.missed(1)).toBe(true);
    expect(tuner.windowBytes).toBe(140);
    expect(tuner.missed(1)).toBe(false);
  });

  it('shrinks the window when a key evicted from the main region comes back', () => {
    const tuner = new WindowTuner(1000, 0.5);
    tuner.leftMain(7, 30);
    expect(tuner.missed(7)).toBe(true);
    expect(tuner.windowBytes).toBe(470);
  });

  it('scales a step by how much larger the other ghost list is (ARC δ)', () => {
    const tuner = new WindowTuner(1000, 0.5);
    tuner.leftWindow(1, 10);
    tuner.leftMain(2, 100);
    tuner.leftMain(3, 100);
    tuner.missed(1); // window ghosts now 0 bytes: step = 10 × 200 / 1
    expect(tuner.windowBytes).toBe(1000);
    tuner.leftWindow(4, 50);
    tuner.missed(2); // step = 100 × max(1, 50 / 100)
    expect(tuner.windowBytes).toBe(900);
  });

  it('ignores misses on keys it does not remember', () => {
    const tuner = new WindowTuner(1000, 0.3);
    expect(tuner.missed(42)).toBe(false);
    expect(tuner.windowBytes).toBe(300);
  });

  it('bounds each ghost list to the capacity, forgetting the oldest first', () => {
    const tuner = new WindowTuner(100, 0.5);
    for (let h = 0; h < 5; h++) tuner.leftWindow(h, 30);
    expect(tuner.ghostBytes.window).toBe(90);
    expect(tuner.missed(0)).toBe(false);
    expect(tuner.missed(1)).toBe(false);
    expect(tuner.missed(4)).toBe(true);
    tuner.leftMain(9, 60);
    tuner.leftMain(9, 20);
    expect(tuner.ghostBytes.main).toBe(20);
  });

  it('keeps the window between 0 and the capacity', () => {
    const tuner = new WindowTuner(100, 0.9);
    tuner.leftWindow(1, 50);
    tuner.missed(1);
    expect(tuner.windowBytes).toBe(100);
    tuner.leftMain(2, 100);
    tuner.leftMain(3, 100);
    tuner.missed(2);
    tuner.missed(3);
    expect(tuner.windowBytes).toBe(0);
    tuner.clear();
    expect(tuner.ghostBytes).toEqual({ window: 0, main: 0 });
  });
});
