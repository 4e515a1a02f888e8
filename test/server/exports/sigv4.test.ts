// Request signing for S3-compatible endpoints, checked against the worked example of AWS's Signature Version 4
// documentation for S3 (GET Object with a Range header). The local S3 server of the upload test does not check
// V4 signatures, so this is where the signing is proven.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signRequest, uriEncode } from '../../../lib/server/exports/s3/sigv4';

const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 signing of S3 requests', () => {
  it("gives the signature of AWS's documented GET Object example", () => {
    const headers = signRequest(
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

  it('signs unsigned payloads by default and percent-encodes keys as S3 does', () => {
    const headers = signRequest({ method: 'PUT', url: new URL('http://127.0.0.1:9000/bucket/a+b'), headers: {} }, EXAMPLE_CREDENTIALS, 'eu-west-1', new Date(0));
    assert.equal(headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    assert.match(headers.authorization, /\/19700101\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    assert.equal(uriEncode("a b/c+d!'()*~", true), 'a%20b/c%2Bd%21%27%28%29%2A~');
    assert.equal(uriEncode('a/b', false), 'a%2Fb');
  });
});
