// Every message catalog and help file exists in every language, with the same keys as en-US.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseKeys, missingPluralForms } from '../helpers/catalog-keys';

const LOCALES = path.join(__dirname, '..', '..', '..', 'locales');
const LANGUAGES = ['en-US', 'de', 'ja', 'zh-CN'];
const NODES = ['sm-config', 'sm-out', 'sm-in', 'sm-admin'];

describe('translations', () => {
  for (const language of LANGUAGES) {
    for (const node of NODES) {
      it(`${language}/${node}: catalog with every en-US key, and a help file with its sections`, () => {
        const english = JSON.parse(fs.readFileSync(path.join(LOCALES, 'en-US', `${node}.json`), 'utf8')) as unknown;
        const catalog = JSON.parse(fs.readFileSync(path.join(LOCALES, language, `${node}.json`), 'utf8')) as unknown;
        assert.deepEqual(baseKeys(catalog), baseKeys(english));
        assert.deepEqual(missingPluralForms(catalog, language), [], 'every plural form the language uses');
        const help = fs.readFileSync(path.join(LOCALES, language, `${node}.html`), 'utf8');
        const type = node === 'sm-config' ? 'sm-config' : node.replace('-', ' ');
        assert.match(help, new RegExp(`data-help-name="${type}"`));
        assert.ok((help.match(/<h3>/g) ?? []).length >= 2, 'help has sections');
      });
    }
  }
});
