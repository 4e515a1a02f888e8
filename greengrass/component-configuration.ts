// The component's configuration as the nucleus hands it over: the recipe's Setenv puts each configuration key into
// an environment variable ({configuration:/key} becomes JSON text for objects and arrays, plain text otherwise).
// Everything here is checked, so that a bad deployment fails the Run with a message naming the key.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

interface EditorUser {
  username: string;
  /** A bcrypt hash, as Node-RED's adminAuth wants it. */
  password: string;
  permissions: string;
}

export interface ComponentConfiguration {
  userDir: string;
  defaultFlowsFile: string;
  thingName: string;
  editor: {
    enabled: boolean;
    /** The address asked for; see `bindAddress` for the one used. */
    host: string;
    port: number;
    users: EditorUser[];
  };
  /** Undefined: the packaged flows file. */
  flows?: unknown[];
  credentials: Record<string, Record<string, unknown>>;
  logLevel: LogLevel;
  contextStorage: 'file' | 'memory';
  paletteInstall: boolean;
}

export class ComponentConfigurationError extends Error {
  readonly code = 'Configuration';
  constructor(key: string, problem: string) {
    super(`component configuration ${key}: ${problem}`);
    this.name = 'ComponentConfigurationError';
  }
}

export const ENV = {
  userDir: 'NODE_RED_GG_USER_DIR',
  defaultFlows: 'NODE_RED_GG_DEFAULT_FLOWS',
  thingName: 'NODE_RED_GG_THING_NAME',
  editor: 'NODE_RED_GG_EDITOR',
  flows: 'NODE_RED_GG_FLOWS',
  credentials: 'NODE_RED_GG_CREDENTIALS',
  logLevel: 'NODE_RED_GG_LOG_LEVEL',
  settings: 'NODE_RED_GG_SETTINGS',
} as const;

/** The nucleus leaves a variable it cannot resolve as it is, braces and all (JSON objects do not look like one). */
function isUnresolvedVariable(text: string): boolean {
  return /^\{[.\w-]+(:[.\w-]+)?:[^:{}]*\}$/.test(text.trim());
}

function jsonValue(env: NodeJS.ProcessEnv, variable: string, key: string): unknown {
  const text = env[variable];
  if (text === undefined || text.trim() === '' || isUnresolvedVariable(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ComponentConfigurationError(key, `is not valid JSON (${text.slice(0, 40)}...)`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(env: NodeJS.ProcessEnv, variable: string, key: string): Record<string, unknown> {
  const value = jsonValue(env, variable, key);
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ComponentConfigurationError(key, 'must be an object');
  return value;
}

function requiredPath(env: NodeJS.ProcessEnv, variable: string): string {
  const text = env[variable];
  if (!text || isUnresolvedVariable(text)) {
    throw new ComponentConfigurationError(variable, 'is not set: start the component from its recipe, which sets it');
  }
  return text;
}

function booleanAt(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ComponentConfigurationError(key, `must be true or false, got ${JSON.stringify(value)}`);
}

function portAt(value: unknown, key: string): number {
  const port = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ComponentConfigurationError(key, `must be a TCP port from 1 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

function usersAt(adminAuth: unknown): EditorUser[] {
  if (adminAuth === undefined || (isRecord(adminAuth) && Object.keys(adminAuth).length === 0)) return [];
  if (!isRecord(adminAuth) || !Array.isArray(adminAuth.users)) {
    throw new ComponentConfigurationError('/editor/adminAuth', 'must be {} or { "type": "credentials", "users": [...] }');
  }
  if (adminAuth.type !== undefined && adminAuth.type !== 'credentials') {
    throw new ComponentConfigurationError('/editor/adminAuth/type', 'must be "credentials"');
  }
  return adminAuth.users.map((user: unknown, index) => {
    const key = `/editor/adminAuth/users/${index}`;
    if (!isRecord(user) || typeof user.username !== 'string' || user.username === '') {
      throw new ComponentConfigurationError(key, 'needs a username');
    }
    if (typeof user.password !== 'string' || !BCRYPT_HASH.test(user.password)) {
      throw new ComponentConfigurationError(
        `${key}/password`,
        'must be a bcrypt hash (make one with: npx node-red admin hash-pw), never the password itself',
      );
    }
    const permissions = user.permissions === undefined ? '*' : user.permissions;
    if (typeof permissions !== 'string') throw new ComponentConfigurationError(`${key}/permissions`, 'must be "*" or "read"');
    return { username: user.username, password: user.password, permissions };
  });
}

function flowsAt(env: NodeJS.ProcessEnv): unknown[] | undefined {
  const flows = jsonValue(env, ENV.flows, '/flows');
  if (flows === undefined) return undefined;
  if (!Array.isArray(flows)) throw new ComponentConfigurationError('/flows', 'must be the array of nodes the editor exports');
  flows.forEach((node, index) => {
    if (!isRecord(node) || typeof node.id !== 'string' || typeof node.type !== 'string') {
      throw new ComponentConfigurationError(`/flows/${index}`, 'must be a node with a string id and type');
    }
  });
  return flows.length === 0 ? undefined : flows;
}

function credentialsAt(env: NodeJS.ProcessEnv): Record<string, Record<string, unknown>> {
  const credentials = objectAt(env, ENV.credentials, '/credentials');
  for (const [id, fields] of Object.entries(credentials)) {
    if (!isRecord(fields)) throw new ComponentConfigurationError(`/credentials/${id}`, 'must be an object of credential fields');
  }
  return credentials as Record<string, Record<string, unknown>>;
}

export function readComponentConfiguration(env: NodeJS.ProcessEnv = process.env): ComponentConfiguration {
  const editor = objectAt(env, ENV.editor, '/editor');
  const settings = objectAt(env, ENV.settings, '/nodeRed');
  const logLevelText = env[ENV.logLevel];
  const logLevel = !logLevelText || isUnresolvedVariable(logLevelText) ? 'info' : logLevelText.trim();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ComponentConfigurationError('/logLevel', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const contextStorage = settings.contextStorage ?? 'file';
  if (contextStorage !== 'file' && contextStorage !== 'memory') {
    throw new ComponentConfigurationError('/nodeRed/contextStorage', `must be "file" or "memory", got ${JSON.stringify(contextStorage)}`);
  }
  const thingName = env[ENV.thingName];
  return {
    userDir: requiredPath(env, ENV.userDir),
    defaultFlowsFile: requiredPath(env, ENV.defaultFlows),
    thingName: thingName && !isUnresolvedVariable(thingName) ? thingName : '',
    editor: {
      enabled: booleanAt(editor.enabled, '/editor/enabled', true),
      host: typeof editor.host === 'string' && editor.host.trim() !== '' ? editor.host.trim() : '127.0.0.1',
      port: editor.port === undefined ? 1880 : portAt(editor.port, '/editor/port'),
      users: usersAt(editor.adminAuth),
    },
    flows: flowsAt(env),
    credentials: credentialsAt(env),
    logLevel: logLevel as LogLevel,
    contextStorage,
    paletteInstall: booleanAt(settings.paletteInstall, '/nodeRed/paletteInstall', false),
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Where the editor listens: the configured address only when it is a loopback one or when editor users are
 * configured; otherwise 127.0.0.1, with the reason for the log.
 */
export function bindAddress(editor: ComponentConfiguration['editor']): { host: string; refused?: string } {
  if (isLoopback(editor.host) || editor.users.length > 0) return { host: editor.host };
  return {
    host: '127.0.0.1',
    refused: `editor.host ${editor.host} is not used because editor.adminAuth has no users: the editor listens on 127.0.0.1 only`,
  };
}
