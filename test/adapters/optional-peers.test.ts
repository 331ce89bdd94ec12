import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SDKS = /^(openai|@anthropic-ai\/sdk|ai|@ai-sdk\/[^/]+|@langchain\/[^/]+)(\/|$)/;
const dir = fileURLToPath(new URL('../../src/adapters/', import.meta.url));

describe('SDKs stay optional peers', () => {
  it('every SDK import in src/adapters is type-only (erased at build time)', () => {
    const offenders: string[] = [];
    let sdkImports = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(dir + file, 'utf8');
      for (const m of text.matchAll(/(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gs)) {
        if (!SDKS.test(m[3] ?? '')) continue;
        sdkImports++;
        if (m[2] === undefined) offenders.push(`${file}: ${m[0]}`);
      }
      expect(text).not.toMatch(/import\(\s*'(openai|@anthropic-ai|ai|@ai-sdk|@langchain)/);
    }
    expect(sdkImports).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});
