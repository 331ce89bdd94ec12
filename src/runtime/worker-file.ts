import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where a worker's code is and how to start it. */
export interface WorkerFile {
  /** Absolute path of the worker module. */
  readonly filename: string;
  /** `execArgv` for the worker: `--import tsx` when running from TypeScript sources. */
  readonly execArgv: readonly string[];
}

/**
 * Resolves `workers/<name>` the same way everywhere: the compiled `.js` beside the built package
 * (`dist/workers/`), or, when running from sources (tests, `npm start`), the `.ts` file loaded
 * through tsx, since Node 20 cannot run TypeScript itself.
 * @param name the worker's base name, e.g. `tokenize.worker`
 */
export function resolveWorkerFile(name: string): WorkerFile {
  const js = fileURLToPath(new URL(`../../workers/${name}.js`, import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const ts = fileURLToPath(new URL(`../../workers/${name}.ts`, import.meta.url));
  return { filename: ts, execArgv: ['--import', 'tsx'] };
}
