import type { Node, NodeAPI } from 'node-red';
import { ValidationError } from '../../lib/protocol/errors';
import type { SmConfigNode } from './config-contract';
import { showSettingsProblem } from './node-status';

/**
 * The flow node's sm-config node. When it has none, the node shows so and fails every msg with a Validation error
 * (texts from the node's catalog: `<catalog>.status.noConfig`, `<catalog>.errors.noConfig`), and undefined is returned.
 */
export function configNodeOf(RED: NodeAPI, node: Node, serverId: string, catalog: string): SmConfigNode | undefined {
  const configNode = RED.nodes.getNode(serverId) as SmConfigNode | null;
  if (configNode) return configNode;
  showSettingsProblem(node, RED._(`${catalog}.status.noConfig`));
  node.on('input', (_msg, _send, done) => done(new ValidationError('server', serverId, RED._(`${catalog}.errors.noConfig`))));
  return undefined;
}
