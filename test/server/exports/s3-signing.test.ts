// Our use of aws4 for S3-compatible endpoints, checked against the worked example of AWS's Signature Version 4
// documentation for S3 (GET Object with a Range header). The local S3 server of the upload test does not check
// V4 signatures, so this is where the signing is proven.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeS3Path, signS3Request } from '../../../lib/server/exports/s3/s3-signing';

const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 signing of S3 requests', () => {
  it("gives the signature of AWS's documented GET Object example, with every header given signed (range too)", () => {
    const headers = signS3Request(
      { method: 'GET', url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'), headers: { range: 'bytes=0-9' }, payloadHash: EMPTY_BODY_SHA256 },
      EXAMPLE_CREDENTIALS,
      'us-east-1',
      new Date(Date.UTC(2013, 4, 24)),
    );
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs unsigned payloads by default, the port in host, the session token, and the query', () => {
    const headers = signS3Request(
      { method: 'PUT', url: new URL('http://127.0.0.1:9000/bucket/a%2Bb?partNumber=2&uploadId=x'), headers: { 'content-length': '5' } },
      { ...EXAMPLE_CREDENTIALS, sessionToken: 'token' },
      'eu-west-1',
      new Date(0),
    );
    assert.equal(headers.host, '127.0.0.1:9000');
    assert.equal(headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    assert.equal(headers['x-amz-security-token'], 'token');
    assert.match(
      headers.authorization,
      /\/19700101\/eu-west-1\/s3\/aws4_request, SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('percent-encodes buckets and keys as S3 does', () => {
    assert.equal(encodeS3Path("a b/c+d!'()*~", true), 'a%20b/c%2Bd%21%27%28%29%2A~');
    assert.equal(encodeS3Path('a/b', false), 'a%2Fb');
    assert.equal(encodeS3Path('é/ü', true), '%C3%A9/%C3%BC');
  });
});
