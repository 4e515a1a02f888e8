// Sends new msgs from a node's first output one call each, not as one array. Node-RED deep-copies every msg of an
// array after the first (it cannot know that no object is in it twice), payload Buffers included; msgs made for this
// send alone need no copy, and sm in sends one for every message it reads.
import type { NodeMessage } from 'node-red';

export function sendEach(send: (msg: NodeMessage) => void, msgs: readonly NodeMessage[]): void {
  for (const msg of msgs) send(msg);
}
