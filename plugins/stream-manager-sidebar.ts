// The runtime half of the Stream Manager sidebar plugin: it only names the plugin. Its endpoints (plugins/sidebar/)
// are registered by the sm-config node, whose shared clients they use; its editor half is the .html beside this file,
// with its code in resources/sidebar/.
import type { NodeAPI } from 'node-red';

interface PluginRegistry {
  registerPlugin(id: string, definition: { type: string }): void;
}

export = (RED: NodeAPI & { plugins?: PluginRegistry }): void => {
  RED.plugins?.registerPlugin('greengrass-stream-manager-sidebar', { type: 'greengrass-stream-manager-sidebar' });
};
