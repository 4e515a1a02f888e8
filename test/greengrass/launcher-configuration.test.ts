// What the launcher makes of the configuration the nucleus hands over, and how it delivers flows to the device.
import { strict as assert } from 'node:assert';
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { bindAddress, ENV, readComponentConfiguration } from '../../greengrass/component-configuration';
import { credentialSecret, CREDENTIALS_FILE, deliverFlows, FLOWS_FILE } from '../../greengrass/flow-delivery';
import { deviceSettings } from '../../greengrass/node-red-settings';

const HASH = '$2b$08$UD1eG8zSDF7/rNIC2kJmduZm8VtW0r4gv1QYf6IcE3TIUaOGsi0F.'; // bcrypt of fleet-ops
const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function folder(): string {
  const created = mkdtempSync(path.join(tmpdir(), 'greengrass-launcher-'));
  folders.push(created);
  return created;
}

/** The environment the recipe's Setenv gives, from configuration values as the nucleus writes them. */
function environment(values: Partial<Record<keyof typeof ENV, unknown>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { [ENV.userDir]: '/device/work/node-red', [ENV.defaultFlows]: '/device/app/flows.json', [ENV.thingName]: 'gateway-7' };
  for (const [key, value] of Object.entries(values)) env[ENV[key as keyof typeof ENV]] = typeof value === 'string' ? value : JSON.stringify(value);
  return env;
}

function decrypt(secret: string, file: string): unknown {
  const encrypted = (JSON.parse(readFileSync(file, 'utf8')) as { $: string }).$;
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(encrypted.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(encrypted.slice(32), 'base64', 'utf8') + decipher.final('utf8')) as unknown;
}

describe('component configuration', () => {
  it('needs nothing beyond the recipe defaults: editor on 127.0.0.1:1880, packaged flows, file context, no palette installs', () => {
    const configuration = readComponentConfiguration(environment({ editor: { enabled: true, host: '127.0.0.1', port: 1880, adminAuth: {} }, flows: [], credentials: {}, logLevel: 'info', settings: { contextStorage: 'file', paletteInstall: false } }));
    assert.deepEqual(configuration.editor, { enabled: true, host: '127.0.0.1', port: 1880, users: [] });
    assert.equal(configuration.flows, undefined);
    const settings = deviceSettings(configuration, { host: '127.0.0.1', port: 1880 }, 'secret', FLOWS_FILE);
    assert.equal(settings.adminAuth, undefined);
    assert.equal(settings.externalModules.palette.allowInstall, false);
    assert.deepEqual(settings.contextStorage, { default: { module: 'localfilesystem' } });
    assert.equal(settings.editorTheme.header.title, 'Node-RED on gateway-7');
  });

  it('reads variables the nucleus could not resolve as unset', () => {
    const configuration = readComponentConfiguration({ ...environment(), [ENV.flows]: '{configuration:/flows}', [ENV.logLevel]: '{configuration:/logLevel}' });
    assert.equal(configuration.flows, undefined);
    assert.equal(configuration.logLevel, 'info');
  });

  it('binds the editor to another address only when editor users are configured', () => {
    const open = readComponentConfiguration(environment({ editor: { host: '0.0.0.0' } }));
    assert.equal(bindAddress(open.editor).host, '127.0.0.1');
    assert.match(bindAddress(open.editor).refused ?? '', /editor\.adminAuth has no users/);
    const guarded = readComponentConfiguration(environment({ editor: { host: '0.0.0.0', adminAuth: { type: 'credentials', users: [{ username: 'ops', password: HASH }] } } }));
    assert.deepEqual(bindAddress(guarded.editor), { host: '0.0.0.0' });
    assert.deepEqual(guarded.editor.users, [{ username: 'ops', password: HASH, permissions: '*' }]);
  });

  it('refuses a password that is not a bcrypt hash, naming the key', () => {
    assert.throws(
      () => readComponentConfiguration(environment({ editor: { host: '0.0.0.0', adminAuth: { type: 'credentials', users: [{ username: 'ops', password: 'hunter2' }] } } })),
      (error: Error & { code?: string }) => error.code === 'Configuration' && /\/editor\/adminAuth\/users\/0\/password: must be a bcrypt hash/.test(error.message),
    );
  });

  it('names the key of each bad value', () => {
    for (const [values, expected] of [
      [{ editor: { port: 70000 } }, /\/editor\/port: must be a TCP port/],
      [{ flows: { id: 'not an array' } }, /\/flows: must be the array/],
      [{ flows: [{ type: 'inject' }] }, /\/flows\/0: must be a node with a string id and type/],
      [{ flows: '[{"id":' }, /\/flows: is not valid JSON/],
      [{ credentials: { node: 'password' } }, /\/credentials\/node: must be an object/],
      [{ logLevel: 'verbose' }, /\/logLevel: must be one of fatal, error, warn, info, debug, trace/],
      [{ settings: { contextStorage: 'redis' } }, /\/nodeRed\/contextStorage: must be "file" or "memory"/],
    ] as const) {
      assert.throws(() => readComponentConfiguration(environment(values)), expected);
    }
  });
});

describe('flow delivery', () => {
  const flows = [{ id: 'tab', type: 'tab' }, { id: 'broker', type: 'mqtt-broker' }];
  const credentials = { broker: { user: 'fleet', password: 'p4ss' } };

  it('writes the flows and credentials Node-RED can decrypt, with a key made on the device and readable by its owner only', () => {
    const userDir = path.join(folder(), 'node-red');
    const secret = credentialSecret(path.dirname(userDir));
    assert.equal(deliverFlows(userDir, { flows, credentials }, secret), true);
    assert.deepEqual(JSON.parse(readFileSync(path.join(userDir, FLOWS_FILE), 'utf8')), flows);
    assert.ok(!readFileSync(path.join(userDir, CREDENTIALS_FILE), 'utf8').includes('p4ss'));
    assert.deepEqual(decrypt(secret, path.join(userDir, CREDENTIALS_FILE)), credentials);
    assert.equal(statSync(path.join(path.dirname(userDir), '.credential-secret')).mode & 0o777, 0o600);
    assert.equal(credentialSecret(path.dirname(userDir)), secret, 'the key stays the same across starts');
  });

  it('keeps flows edited on the device until a deployment brings different ones', () => {
    const userDir = folder();
    const secret = credentialSecret(userDir);
    deliverFlows(userDir, { flows, credentials }, secret);
    const edited = JSON.stringify([...flows, { id: 'added-in-the-editor', type: 'comment' }]);
    writeFileSync(path.join(userDir, FLOWS_FILE), edited);
    assert.equal(deliverFlows(userDir, { flows, credentials }, secret), false);
    assert.equal(readFileSync(path.join(userDir, FLOWS_FILE), 'utf8'), edited);
    assert.equal(deliverFlows(userDir, { flows, credentials: { broker: { user: 'fleet', password: 'rotated' } } }, secret), true);
    assert.deepEqual(JSON.parse(readFileSync(path.join(userDir, FLOWS_FILE), 'utf8')), flows);
  });
});
