import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deserializeJsonBytesToObj, validateAndSerializeToJsonBytes, ValidationError } from '../../lib/protocol';

describe('JSON documents for payloads', () => {
  it('serializes an S3 export task as compact JSON, placeholders allowed in the key', () => {
    const bytes = validateAndSerializeToJsonBytes('S3ExportTaskDefinition', {
      inputUrl: 'file:/var/data/f.csv',
      bucket: 'my-bucket',
      key: 'prefix/!{timestamp:yyyy/MM/dd}/f.csv',
      userMetadata: { owner: 'line-3' },
    });
    assert.equal(bytes.toString(), '{"inputUrl":"file:/var/data/f.csv","bucket":"my-bucket","key":"prefix/!{timestamp:yyyy/MM/dd}/f.csv","userMetadata":{"owner":"line-3"}}');
  });

  it('refuses bad S3 tasks with a ValidationError naming the field', () => {
    const task = { inputUrl: 'file:/f', bucket: 'my-bucket', key: 'k' };
    assert.throws(() => validateAndSerializeToJsonBytes('S3ExportTaskDefinition', { ...task, bucket: 'My_Bucket' }), (error: ValidationError) => error.field === 'bucket');
    assert.throws(() => validateAndSerializeToJsonBytes('S3ExportTaskDefinition', { ...task, bucket: '192.168.1.1' }), /bucket must match/);
    assert.throws(() => validateAndSerializeToJsonBytes('S3ExportTaskDefinition', { ...task, key: 'a/!{timestamp:yyyy-MM-dd}' }), /key must match/);
    assert.throws(() => validateAndSerializeToJsonBytes('S3ExportTaskDefinition', { ...task, key: 'has space' }), /key must match/);
  });

  it('serializes SiteWise entries, dropping empty arrays, and checks that a value sets exactly one variant', () => {
    const entry = {
      entryId: 'e-1',
      propertyAlias: '/plant/1/temp',
      propertyValues: [{ value: { doubleValue: 21.5 }, timestamp: { timeInSeconds: 1_700_000_000, offsetInNanos: 0 }, quality: 'GOOD' }],
    };
    const text = validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', entry).toString();
    assert.deepEqual(JSON.parse(text), entry);
    assert.throws(
      () => validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', { ...entry, propertyValues: [{ ...entry.propertyValues[0], value: { doubleValue: 1, integerValue: 2 } }] }),
      /must set exactly one of stringValue, integerValue, doubleValue, booleanValue/,
    );
    assert.throws(() => validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', { ...entry, propertyValues: [] }), /must have at least 1 item/);
    assert.throws(() => validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', { ...entry, entryId: 'bad id' }), /entryId must match/);
    assert.throws(() => validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', { ...entry, propertyValues: [{ ...entry.propertyValues[0], quality: 'FINE' }] }), /quality must be one of GOOD, BAD, UNCERTAIN/);
  });

  it('parses JSON payloads back without validating, and says clearly when they are not JSON', () => {
    const status = deserializeJsonBytesToObj(Buffer.from('{"eventType":0,"status":1,"message":"failed"}'), 'StatusMessage');
    assert.deepEqual(status, { eventType: 0, status: 1, message: 'failed' });
    assert.throws(() => deserializeJsonBytesToObj(Buffer.from('not json'), 'StatusMessage'), /payload must be JSON text of a StatusMessage/);
  });
});
