// The export-health-alerts example as shipped, imported into a real Node-RED (a child process with every core node,
// its editor on a port given as PORT, as a user sets it) against the real sm-server with its default export retries:
// the flow finds its own endpoint, the readings get exported (the endpoint counts them, the watch shows ok), the
// "endpoint down" button makes the export fail and the watch send one `failing` change under "alerts", "endpoint up"
// brings one `ok`, and nothing more comes while nothing changes. Every wait is bounded and says what it waited for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until, within } from '../helpers/bounded';
import { connectEditorComms, type EditorComms } from '../helpers/editor-comms';
import { freePort } from '../helpers/free-port';
import { startNodeRedChild, type NodeRedChild } from '../helpers/node-red-child';
import { startTestServer, type TestServer } from '../helpers/server';
import { quietFor } from '../helpers/wait';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'export-health-alerts.json');
const STREAM = 'export-health-demo';
/** The example checks every 5 s; two checks with nothing new. */
const QUIET_MS = 11_000;

interface StateChange {
  topic: string;
  stream: string;
  state: string;
  previousState?: string;
  payload: string;
}

describe('export-health-alerts example', () => {
  it('as shipped, exports to its own endpoint, raises failing once the endpoint is down and ok once it is up, once per change', { timeout: 240_000 }, async () => {
    const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
    let server: TestServer | undefined;
    let nodeRed: NodeRedChild | undefined;
    let comms: EditorComms | undefined;
    const shown = (id: string): string[] => (comms?.statuses.get(id) ?? []).map((status) => status.text ?? '');
    const latest = (id: string): string => shown(id).at(-1) ?? '';
    const alerts = (): StateChange[] => (comms?.debug ?? []).filter((message) => message.id === 'eh-alerts').map((message) => JSON.parse(message.msg) as StateChange);
    const seen = (): string => `watch: ${latest('eh-watch')}; endpoint: ${latest('eh-answer')}; alerts: ${alerts().map((alert) => alert.payload).join(' | ')}`;
    const press = async (inject: string): Promise<void> => {
      const pressed = await fetch(`${nodeRed?.editorUrl}inject/${inject}`, { method: 'POST' });
      assert.equal(pressed.status, 200, `the ${inject} button: ${await pressed.text()}`);
    };
    const received = (): number => Number(/^(\d+) readings received$/.exec(latest('eh-answer'))?.[1] ?? 0);
    try {
      server = await within(10_000, 'sm-server to start', startTestServer());
      const editorPort = await freePort();
      nodeRed = await within(70_000, 'Node-RED to start', startNodeRedChild(server.port, { editorPort }));
      comms = await within(10_000, 'the editor comms websocket to open', connectEditorComms(nodeRed.editorUrl));
      await within(20_000, 'the example to deploy', nodeRed.deploy(flow));

      // npm start's settings serve http in nodes under /api: the second URL asked is the one that answers.
      await until(30_000, 'the export added, to the endpoint under /api', () => (latest('eh-define') === `http://127.0.0.1:${editorPort}/api/${STREAM}` ? true : undefined), seen);
      await until(60_000, 'readings received by the endpoint', () => (received() >= 3 ? true : undefined), seen);
      await until(30_000, 'the watch showing the stream ok', () => (latest('eh-watch') === '1 stream ok' ? true : undefined), seen);
      assert.deepEqual(alerts(), [], 'no state change while all is well');

      await press('eh-down');
      await until(30_000, 'the endpoint answering 503', () => (latest('eh-answer') === 'down: answering 503' ? true : undefined), seen);
      const failing = await until(90_000, 'a failing change under alerts', () => alerts().find((alert) => alert.state === 'failing'), seen);
      assert.equal(failing.topic, STREAM);
      assert.equal(failing.stream, STREAM);
      assert.equal(failing.previousState, 'ok');
      assert.match(failing.payload, /^failing: export to-endpoint failing for \d+ s \(\d+ messages? waiting, the oldest for \d+ s\): POST http:\/\/127\.0\.0\.1:\d+\/api\/export-health-demo: the server answered 503 Service Unavailable$/);
      assert.match(shown('eh-raise').at(-1) ?? '', new RegExp(`^${STREAM}$`), 'the switch sent the problem to "raise the alarm here"');
      const receivedWhileDown = received();

      await press('eh-up');
      const ok = await until(120_000, 'an ok change under alerts after the failing one', () => alerts().slice(alerts().indexOf(failing) + 1).find((alert) => alert.state === 'ok'), seen);
      assert.equal(ok.topic, STREAM);
      assert.match(ok.payload, /^ok: /);
      assert.ok(received() > receivedWhileDown, `the waiting readings got through once the endpoint was up (${receivedWhileDown} before, ${received()} now)`);
      assert.equal(shown('eh-clear').at(-1), STREAM, 'the switch sent the all-clear to "clear it here"');

      // Once per change: nothing more while the export keeps working.
      const count = alerts().length;
      await quietFor(QUIET_MS);
      const states = alerts().map((alert) => alert.state);
      assert.equal(states.length, count, `no change while nothing changed: ${states.join(', ')}`);
      assert.equal(states[0], 'failing');
      assert.equal(states.at(-1), 'ok');
      for (let index = 1; index < states.length; index++) assert.notEqual(states[index], states[index - 1], `a change each time: ${states.join(', ')}`);
      assert.ok(alerts().every((alert) => alert.topic === STREAM), 'only the example stream');
      process.stdout.write(`# state changes: ${JSON.stringify(alerts())}\n`);
    } finally {
      comms?.close();
      await within(30_000, 'Node-RED to stop', nodeRed?.stop() ?? Promise.resolve());
      await within(10_000, 'sm-server to stop', server?.close() ?? Promise.resolve());
    }
  });
});
