// What the editor shows under each node, read as the editor reads it: Node-RED's comms websocket, subscribed to
// `status/#` (retained, so a status set before the subscription arrives too) and `debug` (the debug sidebar).
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

/** A msg as the debug sidebar gets it: `msg` is the shown property encoded as text (JSON when format is Object). */
export interface DebugMessage {
  id: string;
  name?: string;
  topic?: string;
  msg: string;
  format: string;
}

export interface EditorComms {
  /** Every status each node has shown since the connection opened, oldest first. */
  statuses: Map<string, NodeStatus[]>;
  /** Every msg debug nodes sent to the sidebar since the connection opened, oldest first. */
  debug: DebugMessage[];
  close(): void;
}

export async function connectEditorComms(editorUrl: string): Promise<EditorComms> {
  const WebSocket = webSocketClass();
  const socket = new WebSocket(`${editorUrl.replace(/^http/, 'ws')}comms`);
  const statuses = new Map<string, NodeStatus[]>();
  const debug: DebugMessage[] = [];
  socket.on('message', (data) => {
    type Published = { topic?: string; data?: NodeStatus };
    const parsed = JSON.parse(data.toString()) as Published | Published[];
    for (const { topic, data: status } of Array.isArray(parsed) ? parsed : [parsed]) {
      // The debug topic carries a DebugMessage in the same field.
      if (topic === 'debug' && status) debug.push(status as DebugMessage);
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
  socket.send(JSON.stringify({ subscribe: 'debug' }));
  return { statuses, debug, close: () => socket.close() };
}
