// What the editor shows under each node, read as the editor reads it: Node-RED's comms websocket, subscribed to
// `status/#` (retained, so a status set before the subscription arrives too).
import * as path from 'node:path';

interface WebSocketLike {
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(text: string): void;
  close(): void;
}
type WebSocketClass = new (url: string) => WebSocketLike;

/** The websocket client Node-RED's editor API itself uses (a dependency of node-red, not of this package). */
function webSocketClass(): WebSocketClass {
  const editorApi = path.dirname(require.resolve('@node-red/editor-api/package.json', { paths: [path.dirname(require.resolve('node-red'))] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('ws', { paths: [editorApi] })) as WebSocketClass;
}

export interface NodeStatus {
  text?: string;
  fill?: string;
  shape?: string;
}

export interface EditorComms {
  /** Every status each node has shown since the connection opened, oldest first. */
  statuses: Map<string, NodeStatus[]>;
  close(): void;
}

export async function connectEditorComms(editorUrl: string): Promise<EditorComms> {
  const WebSocket = webSocketClass();
  const socket = new WebSocket(`${editorUrl.replace(/^http/, 'ws')}comms`);
  const statuses = new Map<string, NodeStatus[]>();
  socket.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as { topic?: string; data?: NodeStatus } | { topic?: string; data?: NodeStatus }[];
    for (const { topic, data: status } of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!topic?.startsWith('status/') || !status) continue;
      const id = topic.slice('status/'.length);
      statuses.set(id, [...(statuses.get(id) ?? []), status]);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  socket.send(JSON.stringify({ subscribe: 'status/#' }));
  return { statuses, close: () => socket.close() };
}
