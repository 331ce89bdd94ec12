import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { createIsolatedClient, type HostRemote } from '../src/isolation/isolated-client.js';
import type { ControlMessage, HostData } from '../src/isolation/isolated-protocol.js';
import { toWireError } from '../src/isolation/wire-error.js';

/**
 * The agent host: imports the agent's module, calls its default export with the comlink-backed
 * API bound to this one agent, and reports the outcome on the control channel. The main thread
 * terminates the thread after the report (or whenever the agent is killed).
 */
async function host(port: NonNullable<typeof parentPort>, data: HostData): Promise<void> {
  const endpoint = (nodeEndpoint as unknown as (p: unknown) => Comlink.Endpoint)(port);
  const remote = Comlink.wrap(endpoint) as unknown as HostRemote;
  const api = createIsolatedClient(remote, port, data.agentId, data.methods);
  const report = (message: ControlMessage): void => port.postMessage(message);
  try {
    const mod = (await import(data.moduleUrl)) as { default?: unknown };
    if (typeof mod.default !== 'function')
      throw new TypeError(`Agent module ${data.moduleUrl} has no default-exported function`);
    const value: unknown = await (mod.default as (a: unknown, d: unknown) => unknown)(
      api,
      data.data,
    );
    try {
      report({ tk: 'result', value });
    } catch (error) {
      // The return value must cross to the main thread; one that cannot is the module's error.
      report({ tk: 'error', error: toWireError(error) });
    }
  } catch (error) {
    report({ tk: 'error', error: toWireError(error) });
  }
}

if (parentPort === null) throw new Error('agent-host.worker must run in a worker thread');
void host(parentPort, workerData as HostData);
