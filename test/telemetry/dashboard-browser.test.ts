import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovernedAgent } from '../../src/agents/governed-agent.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { serveDashboard, type DashboardServer } from '../../src/telemetry/dashboard-server.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));
const TOKEN = 'browser-test-token-5f1c2a9e';

/** The little of the DOM the predicates touch (the project's tsconfig has no DOM lib). */
interface Doc {
  querySelector(selector: string): {
    getAttribute(name: string): string | null;
    getBoundingClientRect(): { bottom: number };
  } | null;
}

if (!HAS_CHROMIUM) {
  console.warn(
    `[dashboard browser test] SKIPPED: ${CHROMIUM} not found. Install it with ` +
      '`sudo scripts/install-chromium.sh` (Debian chromium) to run the real-browser test.',
  );
}

/** A small multi-agent scene: states, a cache hit, two models, a limit, some signals. */
async function populate(kernel: Kernel): Promise<GovernedAgent> {
  const planner = kernel.spawn({
    id: 'planner',
    task: 'plan release',
    priority: 'high',
    maxTokens: 40_000,
    model: 'test-large',
  });
  const researcher = kernel.spawn({
    id: 'researcher',
    task: 'survey docs',
    maxTokens: 60_000,
    model: 'test-small',
  });
  const coder = kernel.spawn({
    id: 'coder',
    task: 'implement',
    maxTokens: 50_000,
    model: 'test-large',
  });
  const reviewer = kernel.spawn({
    id: 'reviewer',
    task: 'review',
    priority: 'low',
    maxTokens: 20_000,
    model: 'test-small',
  });
  planner.record({ inputTokens: 9_000, outputTokens: 1_500 });
  researcher.record({ inputTokens: 22_000, outputTokens: 4_000, cacheReadTokens: 12_000 });
  coder.record({ inputTokens: 14_000, outputTokens: 6_000, reasoningTokens: 2_000 });
  reviewer.record({ inputTokens: 16_500, outputTokens: 500 });
  const request = {
    messages: [{ role: 'user' as const, content: 'style guide?' }],
    temperature: 0,
    maxOutputTokens: 400,
  };
  const invoke = async () => ({
    output: 'use prettier',
    usage: { inputTokens: 1_800, outputTokens: 300 },
    finishReason: 'stop',
  });
  await coder.call(request, invoke);
  await coder.call(request, invoke);
  kernel.stop('reviewer', 'waiting for a human');
  return planner;
}

describe.skipIf(!HAS_CHROMIUM)(
  'dashboard in a real browser (Debian chromium, playwright-core)',
  () => {
    let userDataDir: string;
    let browser: BrowserContext;
    let kernel: Kernel;
    let server: DashboardServer;

    beforeAll(async () => {
      userDataDir = mkdtempSync(join(tmpdir(), 'token-kernel-chromium-'));
      browser = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1200, height: 860 },
        deviceScaleFactor: 1,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });

    afterAll(async () => {
      await server?.close();
      await kernel?.close();
      await browser?.close();
      if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    });

    it('shows the agents, then updates the bar and the signal log within a second of a threshold crossing', async () => {
      ({ kernel } = makeKernel({
        totalBudget: 200_000,
        warnThresholds: [0.8],
        limits: [{ scope: 'org', tokens: 180_000, period: 'day' }],
      }));
      server = await serveDashboard(kernel, { token: TOKEN });
      const planner = await populate(kernel);
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          problems.push(`console ${m.type()}: ${m.text()}`);
      });
      const origin = new URL(server.url).origin;
      page.on('request', (r) => {
        if (!r.url().startsWith(origin)) problems.push(`external request: ${r.url()}`);
      });

      await page.goto(`${server.url}?token=${TOKEN}`);
      await page.waitForSelector('#conn.live');
      const ids = await page
        .locator('#agents tr[data-agent]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')));
      expect(ids).toEqual(['planner', 'researcher', 'coder', 'reviewer']);
      expect(await page.locator('#agents').innerText()).toMatch(
        /planner[\s\S]*researcher[\s\S]*coder[\s\S]*reviewer/,
      );
      expect(await page.getAttribute('tr[data-agent="reviewer"]', 'data-state')).toBe('stopped');
      expect(await page.getAttribute('tr[data-agent="planner"] .fill', 'data-pct')).toBe('26');
      expect(await page.locator('#signals li[data-agent="planner"]').count()).toBe(0);
      expect(await page.locator('#signals li[data-agent="reviewer"]').count()).toBe(2);
      expect(await page.locator('#models tr[data-model]').count()).toBe(2);
      expect(page.url()).not.toContain(TOKEN);

      // 10,500 + 23,500 = 34,000 of 40,000: 85 %, across the 80 % warning threshold.
      planner.record({ inputTokens: 20_000, outputTokens: 3_500 });
      // A function, not a string: playwright polls a string predicate with `eval`, which the
      // page's CSP (rightly) forbids; a function is passed through the DevTools protocol.
      await page.waitForFunction(
        () => {
          const doc = (globalThis as unknown as { document: Doc }).document;
          const fill = doc.querySelector('tr[data-agent="planner"] .fill');
          const row = doc.querySelector('tr[data-agent="planner"]');
          const signal = doc.querySelector(
            '#signals li[data-signal="SIGWARN"][data-agent="planner"]',
          );
          return (
            fill?.getAttribute('data-pct') === '85' &&
            row?.getAttribute('data-state') === 'warned' &&
            signal !== null
          );
        },
        undefined,
        { timeout: 1_000 },
      );

      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'dashboard.png');
      const height = Math.ceil(
        await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: Doc }).document;
          return doc.querySelector('main')?.getBoundingClientRect().bottom ?? 860;
        }),
      );
      const clip = { x: 0, y: 0, width: 1200, height: Math.min(height, 2_000) };
      await page.screenshot({ path: shot, clip });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env['UPDATE_DOCS_SCREENSHOT'] === '1') {
        mkdirSync(dirname(DOCS_SHOT), { recursive: true });
        await page.screenshot({ path: DOCS_SHOT, clip });
      }
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
