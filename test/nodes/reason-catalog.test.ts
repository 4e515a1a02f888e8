// Every status reason has a text in every language, short enough to read under a node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REASON_KEYS } from '../../nodes/shared/failure-reason';

const LOCALES = path.join(__dirname, '..', '..', '..', 'locales');
/** The widest values the nodes put into a reason (an address with a long host is shortened by nothing, so use a real one). */
const VALUES: Record<string, string> = { address: '127.0.0.1:8088', port: '65535', count: '1000', max: '1000', field: 'msg.readOptions', text: 'x' };
/** Node-RED shows a status on one line under the node; the issue's own example, "disconnected: connection refused 127.0.0.1:8088", is 47 characters. */
const MAX_CHARACTERS = 50;

describe('status reason texts', () => {
  for (const language of ['en-US', 'de', 'ja', 'zh-CN']) {
    it(`${language}: one for every reason, filled in, at most ${MAX_CHARACTERS} characters with "disconnected: " in front`, () => {
      const catalog = JSON.parse(fs.readFileSync(path.join(LOCALES, language, 'sm-config.json'), 'utf8')) as { 'sm-config': { reason: Record<string, string>; status: Record<string, string> } };
      const reasons = catalog['sm-config'].reason;
      assert.deepEqual(Object.keys(reasons).sort(), [...REASON_KEYS].sort());
      for (const key of REASON_KEYS) {
        const reason = reasons[key].replace(/__(\w+)__/g, (_whole, name: string) => VALUES[name] ?? assert.fail(`${key} uses __${name}__, which no node fills in`));
        const shown = catalog['sm-config'].status.disconnected.replace('__reason__', reason);
        assert.ok(shown.length <= MAX_CHARACTERS, `${language} ${key}: "${shown}" is ${shown.length} characters`);
      }
    });
  }
});
