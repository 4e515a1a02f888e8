// HTTP (documented as a test destination): POSTs to the configured URI. RAW_NOT_BATCHED sends one request per
// message with the raw payload as its body; JSON_BATCHED sends each batch as a JSON array of Message objects
// (payload in base64, as the Java server's JSON writer does for bytes). Anything but a 2xx answer, or no answer,
// fails the export; the failed message and those after it are tried again later.
import * as http from 'node:http';
import * as https from 'node:https';
import { ExportFormat } from '../../../protocol/enums';
import type { HTTPConfig } from '../../../protocol/model';
import { ExportFailedError } from '../export-errors';
import type { ExportMessage } from '../export-source';
import { wholeBatch, type Exporter, type SendResult } from '../exporter';

const REQUEST_TIMEOUT_MS = 30_000;

export class HttpExporter implements Exporter {
  private readonly url: URL | undefined;
  private readonly problem: string | undefined;

  constructor(
    private readonly config: HTTPConfig,
    private readonly streamName: string,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    try {
      this.url = new URL(config.uri);
      if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
        this.problem = `uri ${config.uri} must start with http:// or https://`;
      }
    } catch {
      this.problem = `uri ${config.uri} is not a URL`;
    }
  }

  async send(batch: ExportMessage[]): Promise<SendResult> {
    if (this.problem !== undefined) throw new ExportFailedError(this.problem);
    if (this.config.exportFormat === ExportFormat.JSON_BATCHED) {
      const body = JSON.stringify(
        batch.map((message) => ({
          streamName: this.streamName,
          sequenceNumber: message.sequenceNumber,
          ingestTime: message.ingestTime,
          payload: message.payload.toString('base64'),
        })),
      );
      await this.post(Buffer.from(body, 'utf8'), 'application/json', 0);
      return wholeBatch(batch);
    }
    for (const [index, message] of batch.entries()) {
      await this.post(message.payload, 'application/octet-stream', index);
    }
    return wholeBatch(batch);
  }

  private post(body: Buffer, contentType: string, delivered: number): Promise<void> {
    const url = this.url as URL;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const fail = (reason: string): void => reject(new ExportFailedError(`POST ${this.config.uri}: ${reason}`, delivered));
      const request = transport.request(
        url,
        { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, timeout: this.timeoutMs },
        (response) => {
          response.resume();
          response.on('error', (error) => fail(error.message));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else fail(`the server answered ${status} ${response.statusMessage ?? ''}`.trim());
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', (error) => fail(error.message));
      request.end(body);
    });
  }
}
