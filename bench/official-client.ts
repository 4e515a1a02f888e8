// The official JavaScript client (npm aws-greengrass-core-sdk), wrapped for the benchmarks. It has no timeouts of its
// own, so every call is bounded here.
/* eslint-disable @typescript-eslint/no-require-imports */

type SdkObject = object;
interface SdkClient {
  onConnected(callback: () => void): void;
  onError(callback: (error: Error) => void): void;
  createMessageStream(definition: SdkObject): Promise<void>;
  appendMessage(name: string, data: Buffer): Promise<number>;
  readMessages(name: string, options: SdkObject): Promise<unknown[]>;
  close(): void;
}
interface Sdk {
  StreamManagerClient: new (options: { port: number; logger: object }) => SdkClient;
  MessageStreamDefinition: new () => SdkObject;
  ReadMessagesOptions: new () => SdkObject;
  StrategyOnFull: Record<string, SdkObject>;
  Persistence: Record<string, SdkObject>;
}

const sdk = require('aws-greengrass-core-sdk/stream-manager') as Sdk;
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function build(Class: new () => SdkObject, fields: Record<string, unknown>): SdkObject {
  let built = new Class() as Record<string, (value: unknown) => SdkObject>;
  for (const [field, value] of Object.entries(fields)) built = built[`with${field[0].toUpperCase()}${field.slice(1)}`](value) as typeof built;
  return built;
}

function bounded<T>(promise: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the official client got no answer within ${ms} ms`)), ms))),
  ]);
}

export class OfficialClient {
  private constructor(private readonly client: SdkClient) {}

  static async connect(port: number): Promise<OfficialClient> {
    const client = new sdk.StreamManagerClient({ port, logger: quiet });
    await bounded(new Promise<void>((resolve, reject) => {
      client.onConnected(resolve);
      client.onError(reject);
    }), 10_000);
    return new OfficialClient(client);
  }

  createMemoryStream(name: string): Promise<void> {
    return bounded(this.client.createMessageStream(build(sdk.MessageStreamDefinition, { name, strategyOnFull: sdk.StrategyOnFull.OverwriteOldestData, persistence: sdk.Persistence.Memory })));
  }

  append(name: string, data: Buffer): Promise<number> {
    return bounded(this.client.appendMessage(name, data));
  }

  read(name: string, start: number, count: number): Promise<unknown[]> {
    return bounded(this.client.readMessages(name, build(sdk.ReadMessagesOptions, { desiredStartSequenceNumber: start, minMessageCount: count, maxMessageCount: count })));
  }

  close(): void {
    this.client.close();
  }
}
