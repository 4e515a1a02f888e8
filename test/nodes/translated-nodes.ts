// The test helper gives nodes an RED._ that returns the key as it is. For tests that read a node's status or warnings,
// this wraps a node module so that its RED._ looks texts up in the node's en-US catalog, as Node-RED itself does.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';

type NodeModule = (RED: NodeAPI) => void;

export function withEnglishTexts(nodeModule: NodeModule, catalog: string): NodeModule {
  const texts = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'nodes', 'locales', 'en-US', `${catalog}.json`), 'utf8')) as Record<string, unknown>;
  const translate = (key: string, values: Record<string, unknown> = {}): string => {
    const text = key.split('.').reduce<unknown>((node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined), texts);
    if (typeof text !== 'string') return key;
    return text.replace(/__(\w+)__/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
  return (RED) => nodeModule(Object.create(RED, { _: { value: translate } }) as NodeAPI);
}
