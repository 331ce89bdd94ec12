import { Worker, type ResourceLimits } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { WorkerFile } from '../runtime/worker-file.js';

/** How to start a raw worker thread on a worker file. */
export interface WorkerLaunchOptions {
  readonly workerData: unknown;
  readonly resourceLimits: ResourceLimits;
  /** The worker's name in diagnostics (`--inspect`, heap snapshots). */
  readonly name: string;
}

/**
 * Starts a `Worker` on `file`. A compiled `.js` worker starts directly. A `.ts` worker cannot:
 * on Node 20 `--import tsx` registers tsx's ESM hooks on the main thread only, so a raw worker
 * fails with `ERR_UNKNOWN_FILE_EXTENSION`. The worker then starts from a two-line bootstrap
 * that registers tsx's ESM API inside the thread before importing the file, which also lets
 * the host import `.ts` agent modules.
 */
export function launchWorker(file: WorkerFile, options: WorkerLaunchOptions): Worker {
  const common = {
    workerData: options.workerData,
    resourceLimits: options.resourceLimits,
    name: options.name,
    execArgv: [...file.execArgv],
  };
  if (!file.filename.endsWith('.ts')) return new Worker(file.filename, common);
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(file.filename).href;
  const bootstrap =
    `import(${JSON.stringify(tsx)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...common, eval: true });
}
