// A child process hosting consumers of one stream for the schedule property test. It takes commands over IPC (start,
// stop, pause, resume, ack, nack, seek a named consumer) and writes everything its consumers do to a log file, one
// JSON line each, with synchronous writes before the consumer goes on: a kill -9 loses nothing the consumer did.
// Every command is answered over IPC with its id once done, after the lines it caused are in the log.
import { openSync, writeSync } from 'node:fs';
import { Consumer, StreamManagerClient, type AckMode } from '../../lib/client';

export type WorkerCommand =
  | { id: number; op: 'start'; consumer: string; ackMode: AckMode }
  | { id: number; op: 'stop' | 'pause' | 'resume'; consumer: string }
  | { id: number; op: 'nack' | 'seek'; consumer: string; sequenceNumber: number }
  | { id: number; op: 'ack'; consumer: string; sequenceNumbers: number[] };

export type WorkerLogLine =
  | { t: 'delivered'; consumer: string; sequenceNumber: number; deliveryCount: number; gap?: { from: number; to: number; count: number; reason: string } }
  | { t: 'reading'; consumer: string; next: number }
  | { t: 'committed'; consumer: string; position: number }
  | { t: 'warning'; consumer: string; kind: string; sequenceNumber?: number; gap?: { from: number; to: number; count: number; reason: string }; message: string }
  | { t: 'seek'; consumer: string; sequenceNumber: number }
  | { t: 'acked'; consumer: string; sequenceNumber: number; taken: boolean }
  | { t: 'stopped'; consumer: string; position?: number };

const { SM_PORT, SM_STREAM, SM_LOG } = process.env;
const log = openSync(SM_LOG as string, 'a');
const write = (line: WorkerLogLine): void => void writeSync(log, `${JSON.stringify(line)}\n`);
const client = new StreamManagerClient({ port: Number(SM_PORT), requestTimeoutMs: 10_000 });
const consumers = new Map<string, Consumer>();

function startConsumer(name: string, ackMode: AckMode): void {
  let reading = false;
  const consumer = new Consumer({
    client,
    stream: SM_STREAM as string,
    consumer: name,
    ackMode,
    start: 'oldest',
    batchSize: 20,
    pollTimeoutMs: 200,
    retryDelayMs: 100,
    commitIntervalMs: 100,
    nackDelayMs: 20,
    maxDeliveries: 3,
    deadLetterStream: `${SM_STREAM as string}-dead`,
    onMessages: (deliveries) => {
      for (const { sequenceNumber, deliveryCount, gap } of deliveries) write({ t: 'delivered', consumer: name, sequenceNumber, deliveryCount, ...(gap ? { gap } : {}) });
    },
    onState: (state) => {
      // The first read after the start: where the consumer resumed.
      if (state.state === 'reading' && !reading) {
        reading = true;
        write({ t: 'reading', consumer: name, next: state.next });
      }
    },
    onCommitted: (position) => write({ t: 'committed', consumer: name, position }),
    onWarning: (warning) =>
      write({
        t: 'warning',
        consumer: name,
        kind: warning.kind,
        message: warning.message,
        ...('sequenceNumber' in warning ? { sequenceNumber: warning.sequenceNumber } : {}),
        ...('gap' in warning ? { gap: warning.gap } : {}),
      }),
  });
  consumers.set(name, consumer);
  consumer.start();
}

async function run(command: WorkerCommand): Promise<void> {
  const consumer = consumers.get(command.consumer);
  switch (command.op) {
    case 'start':
      startConsumer(command.consumer, command.ackMode);
      break;
    case 'stop':
      consumers.delete(command.consumer);
      await consumer?.stop();
      write({ t: 'stopped', consumer: command.consumer, ...(consumer?.position !== undefined ? { position: consumer.position } : {}) });
      break;
    case 'pause':
      consumer?.pause();
      break;
    case 'resume':
      consumer?.resume();
      break;
    case 'ack':
      for (const sequenceNumber of command.sequenceNumbers) write({ t: 'acked', consumer: command.consumer, sequenceNumber, taken: consumer?.ack(sequenceNumber) ?? false });
      break;
    case 'nack':
      consumer?.nack(command.sequenceNumber, 'nacked by the schedule');
      break;
    case 'seek':
      // Written before the seek: every delivery after this line is read from the new position.
      write({ t: 'seek', consumer: command.consumer, sequenceNumber: command.sequenceNumber });
      await consumer?.seek(command.sequenceNumber);
  }
  process.send?.({ done: command.id });
}

process.on('message', (command: WorkerCommand) => void run(command));
process.on('disconnect', () => {
  void Promise.all([...consumers.values()].map((consumer) => consumer.stop())).finally(() => process.exit(0));
});
