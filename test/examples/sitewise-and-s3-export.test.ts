// The sitewise-and-s3-export example as shipped, imported into a real Node-RED (a child process with every core node)
// against the real sm-server exporting to an S3-compatible server (s3rver): the file it writes is uploaded, the
// second output of sm out makes its debug node show Success, sm in decodes the status stream, and the readings reach
// the recorded IoT SiteWise request as entries of the property. Every wait is bounded and says what it waited for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import S3rver from 's3rver';
import { until, within } from '../helpers/bounded';
import { connectEditorComms, type EditorComms } from '../helpers/editor-comms';
import { startNodeRedChild, type NodeRedChild } from '../helpers/node-red-child';
import { startTestServer, type TestServer } from '../helpers/server';
import { recordedRequests } from '../server/exports/export-test-kit';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'sitewise-and-s3-export.json');
const BUCKET = 'my-gateway-bucket';
const PROPERTY_ALIAS = '/plant-1/line-1/temperature';

interface Entry {
  propertyAlias?: string;
  propertyValues: { value: { doubleValue?: number }; quality: string }[];
}

describe('sitewise-and-s3-export example', () => {
  it('as shipped, uploads the file it writes (Success under the outcome debug node) and sends its readings to IoT SiteWise', { timeout: 180_000 }, async () => {
    const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
    const fileNode = flow.find((node) => node.type === 'file') as { filename: string };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-example-s3rver-'));
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: root, configureBuckets: [{ name: BUCKET, configs: [] }] });
    let s3Url = '';
    let server: TestServer | undefined;
    let nodeRed: NodeRedChild | undefined;
    let comms: EditorComms | undefined;
    const shown = (id: string): string[] => (comms?.statuses.get(id) ?? []).map((status) => status.text ?? '');
    const allShown = (): string => [...(comms?.statuses.entries() ?? [])].map(([id, list]) => `${id}: ${list.map((status) => status.text).join(' > ')}`).join('; ');
    try {
      const address = (await within(10_000, 's3rver to start', s3.run())) as net.AddressInfo;
      s3Url = `http://127.0.0.1:${address.port}`;
      server = await within(10_000, 'sm-server to start', startTestServer({ s3Endpoint: { url: s3Url, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }));
      nodeRed = await within(70_000, 'Node-RED to start', startNodeRedChild(server.port));
      comms = await within(10_000, 'the editor comms websocket to open', connectEditorComms(nodeRed.editorUrl));
      await within(20_000, 'the example to deploy', nodeRed.deploy(flow));

      // The inject fires 2 s after the deploy: file written, task appended, uploaded, outcome on the second output.
      const outcome = await until(60_000, 'the S3 upload outcome under its debug node', () => shown('js-uploaded').find((text) => text !== ''), allShown);
      assert.equal(outcome, 'Success', `the first upload succeeds as shipped (${allShown()})`);
      await until(30_000, 'sm in showing the decoded status Success', () => (shown('js-status-debug').includes('Success') ? true : undefined), allShown);

      const listing = await within(10_000, 'the bucket listing', fetch(`${s3Url}/${BUCKET}?list-type=2`).then((response) => response.text()));
      const key = /<Key>(reports\/\d{4}\/\d{2}\/\d{2}\/report\.csv)<\/Key>/.exec(listing)?.[1];
      assert.ok(key, `the report is in the bucket under reports/<date>/report.csv: ${listing}`);
      const object = await within(10_000, 'the uploaded object', fetch(`${s3Url}/${BUCKET}/${key}`).then((response) => response.text()));
      assert.match(object, /^time,line,temperature\n.+,line-1,\d+(\.\d)?\n$/, 'the uploaded object is the report the flow wrote');

      // A reading every 2 s, grouped for 10 s: the first entry is exported once its window closes.
      const exportDir = path.join(server.storeDir, 'exports');
      const entries = await until(60_000, 'a SiteWise request with entries of the property', () => {
        const found = recordedRequests(exportDir, 'SiteWiseExport').flatMap((request) => (request.request?.entries as Entry[] | undefined) ?? []);
        return found.length > 0 ? found : undefined;
      }, allShown);
      for (const entry of entries) {
        assert.equal(entry.propertyAlias, PROPERTY_ALIAS);
        assert.ok(entry.propertyValues.length >= 1 && entry.propertyValues.length <= 10, `1 to 10 values per entry: ${JSON.stringify(entry)}`);
        for (const value of entry.propertyValues) {
          assert.ok(typeof value.value.doubleValue === 'number' && value.value.doubleValue >= 20 && value.value.doubleValue <= 25, JSON.stringify(value));
          assert.equal(value.quality, 'GOOD');
        }
      }
      await until(10_000, 'the entry\'s sequence number under its debug node', () => (shown('js-appended').some((text) => /^\d+$/.test(text)) ? true : undefined), allShown);
    } finally {
      comms?.close();
      await within(30_000, 'Node-RED to stop', nodeRed?.stop() ?? Promise.resolve());
      await within(10_000, 'sm-server to stop', server?.close() ?? Promise.resolve());
      await within(10_000, 's3rver to stop', s3.close()).catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(fileNode.filename, { force: true });
    }
  });
});
