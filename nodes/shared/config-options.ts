// The saved settings of an sm-config node and the client options they stand for.
import type { NodeDef } from 'node-red';
import type { StreamManagerClientOptions } from '../../lib/client/options';

export interface SmConfigProperties extends NodeDef {
  host?: string;
  port?: string | number;
  /** Seconds. */
  connectTimeout?: string | number;
  /** Seconds. */
  requestTimeout?: string | number;
  /** Run a development Stream Manager in the Node-RED process, on host and port, for this config node. */
  devServer?: boolean;
}

export interface SmConfigCredentials {
  authToken?: string;
}

/** A blank field means "use the default"; anything else must be a number. */
export function optionalNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === null || String(value).trim() === '') return undefined;
  return Number(value);
}

/** `${NAME}` stands for the environment variable NAME, so that a token need not be stored in the flow. */
function resolveEnvironmentReference(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const reference = /^\$\{(\w+)\}$/.exec(value.trim());
  return reference ? process.env[reference[1]] || undefined : value;
}

export function clientOptionsFrom(config: SmConfigProperties, credentials: SmConfigCredentials | undefined): StreamManagerClientOptions {
  const seconds = (value: string | number | undefined) => {
    const number = optionalNumber(value);
    return number === undefined ? undefined : Math.round(number * 1000);
  };
  return {
    host: config.host?.trim() || undefined,
    port: optionalNumber(config.port),
    authToken: resolveEnvironmentReference(credentials?.authToken),
    connectTimeoutMs: seconds(config.connectTimeout),
    requestTimeoutMs: seconds(config.requestTimeout),
    autoReconnect: true,
  };
}

