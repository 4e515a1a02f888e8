// Node-RED's settings for a device: what the component configuration chooses, and what a device needs whatever
// it chooses (no palette installs or telemetry calls to a registry it may not reach, no projects, pretty flows).
import type { ComponentConfiguration } from './component-configuration';

interface DeviceSettings {
  userDir: string;
  flowFile: string;
  flowFilePretty: boolean;
  credentialSecret: string;
  uiHost: string;
  uiPort: number;
  httpAdminRoot: string | false;
  httpNodeRoot: string;
  adminAuth?: { type: 'credentials'; users: ComponentConfiguration['editor']['users'] };
  logging: { console: { level: string; metrics: boolean; audit: boolean } };
  contextStorage?: { default: { module: 'localfilesystem' | 'memory' } };
  externalModules: {
    autoInstall: boolean;
    palette: { allowInstall: boolean; allowUpload: boolean };
    modules: { allowInstall: boolean };
  };
  functionExternalModules: boolean;
  diagnostics: { enabled: boolean };
  telemetry: { enabled: boolean };
  runtimeState: { enabled: boolean };
  editorTheme: {
    projects: { enabled: boolean };
    tours: boolean;
    page: { title: string };
    header: { title: string };
  };
}

export function deviceSettings(
  configuration: ComponentConfiguration,
  listen: { host: string; port: number },
  credentialSecret: string,
  flowFile: string,
): DeviceSettings {
  const title = configuration.thingName ? `Node-RED on ${configuration.thingName}` : 'Node-RED';
  return {
    userDir: configuration.userDir,
    flowFile,
    flowFilePretty: true,
    credentialSecret,
    uiHost: listen.host,
    uiPort: listen.port,
    httpAdminRoot: configuration.editor.enabled ? '/' : false,
    httpNodeRoot: '/',
    ...(configuration.editor.users.length > 0 ? { adminAuth: { type: 'credentials' as const, users: configuration.editor.users } } : {}),
    logging: { console: { level: configuration.logLevel, metrics: false, audit: false } },
    contextStorage: { default: { module: configuration.contextStorage === 'file' ? 'localfilesystem' : 'memory' } },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: configuration.paletteInstall, allowUpload: configuration.paletteInstall },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    runtimeState: { enabled: false },
    editorTheme: { projects: { enabled: false }, tours: false, page: { title }, header: { title } },
  };
}
