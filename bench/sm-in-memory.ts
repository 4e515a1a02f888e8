// Item 5, run as a child process: sm in (continuous) in a real runtime reads a stream of N messages to the end;
// prints the process's peak RSS in MB. Usage: node sm-in-memory.js PORT STREAM COUNT
import type { Node } from 'node-red';
import { configNode, helper, loadFlow, startRuntime, stopRuntime } from '../test/nodes/flow-harness';
import { stopRecordingLogs } from './node-red-bench';

async function main(): Promise<void> {
  const [port, stream, count] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
  await startRuntime();
  await loadFlow([configNode(port), { id: 'in', type: 'sm in', server: 'config', stream, mode: 'continuous', batchSize: '500', format: 'buffer', wires: [['read']] }, { id: 'read', type: 'helper' }]);
  stopRecordingLogs();
  let received = 0;
  await new Promise<void>((resolve) => {
    (helper.getNode('read') as Node).on('input', () => {
      received += 1;
      if (received === count) resolve();
    });
  });
  const peakMb = process.resourceUsage().maxRSS / 1024;
  await helper.unload();
  await stopRuntime();
  process.stdout.write(`${JSON.stringify({ received, peakMb })}\n`);
  process.exit(0);
}

void main();
