// A Greengrass nucleus reduced to what it does to one generic component, faithful to aws-greengrass-nucleus:
// - picks the first manifest whose platform matches (PlatformResolver: x86_64 is amd64, arm64 is aarch64);
// - "downloads" the artifacts, unpacks ZIP ones into artifacts-unarchived/<name>/<version>/<file name less its
//   extension> like Java's ZipFile (no modes, no links) and applies the recipe's artifact permissions;
// - resolves the recipe variables in the lifecycle like KernelConfigResolver ({configuration:/pointer} as text for
//   values and as JSON for objects and arrays; an unknown variable is left as it is), from the default
//   configuration with the deployment's merge (objects merged key by key, anything else replaced);
// - runs each step with `sh -c` in {work:path}, with the variables a nucleus gives a component (SVCUID,
//   AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_REGION, AWS_IOT_THING_NAME, ...) and the lifecycle's Setenv;
// - Install runs at every start (state NEW), with its Timeout (default 120 s); then Run;
// - a stop runs Shutdown (Timeout, default 15 s), then SIGTERM to the Run process and its children and SIGKILL to
//   whatever is left after 5 s (UnixExec.close);
// - a step that fails puts the component in ERRORED and it is retried; the third error in a row in the same state
//   within an hour makes it BROKEN (Lifecycle.MAXIMUM_CONTINUAL_ERROR);
// - a configuration change that changes the resolved lifecycle restarts the component (reinstalls it if Install
//   changed), as GenericExternalService's subscription does.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { valueAtPointer, type Json } from '../../greengrass/recipe-format';
import { applyArtifactPermission, unzipLikeJava, type ArtifactPermission } from './java-zip-file';

export type ComponentState = 'NEW' | 'INSTALLED' | 'RUNNING' | 'STOPPING' | 'ERRORED' | 'BROKEN' | 'FINISHED';
export type JsonObject = { [key: string]: Json };
type Step = string | { Script: string; Timeout?: number; Setenv?: Record<string, string> };
type Lifecycle = { Setenv?: Record<string, string>; install?: Step; run?: Step; shutdown?: Step };

interface Artifact {
  Uri: string;
  Unarchive?: 'ZIP' | 'NONE';
  Permission?: ArtifactPermission;
}
interface Manifest {
  Platform?: { os?: string; architecture?: string };
  Lifecycle: Lifecycle;
  Artifacts?: Artifact[];
}
export interface Recipe {
  ComponentName: string;
  ComponentVersion: string;
  ComponentConfiguration?: { DefaultConfiguration?: JsonObject };
  ComponentDependencies?: Record<string, unknown>;
  Manifests: Manifest[];
}

export interface NucleusOptions {
  recipe: Recipe;
  /** Folder holding the artifacts as the packager wrote them, each under the last segment of its URI. */
  artifactSource: string;
  /** The nucleus root folder (packages/, work/, logs/). */
  root: string;
  thingName: string;
  region: string;
  /** The component's SVCUID, which the nucleus also gives as AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  token: string;
  /** Configuration of the dependencies, for {dependency:configuration:/key}. */
  dependencyConfiguration: Record<string, JsonObject>;
  /** Loopback port where nothing listens: npm's registry and the token exchange service point there. */
  deadPort: number;
}

const DEFAULT_INSTALL_TIMEOUT_S = 120;
const DEFAULT_SHUTDOWN_TIMEOUT_S = 15;
const GRACEFUL_SHUTDOWN_MS = 5_000;
const MAXIMUM_CONTINUAL_ERROR = 3;
const NUCLEUS_ARCHITECTURE: Record<string, string> = { x64: 'amd64', arm64: 'aarch64', arm: 'arm', ia32: 'x86' };

export function mergeConfiguration(base: Json, change: Json): Json {
  if (!isObject(base) || !isObject(change)) return structuredClone(change);
  const merged: JsonObject = structuredClone(base);
  for (const [key, value] of Object.entries(change)) merged[key] = key in merged ? mergeConfiguration(merged[key], value) : structuredClone(value);
  return merged;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: Json): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function pidsAndParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

/** A process and every live process below it. */
export function processTree(pid: number): number[] {
  const parents = pidsAndParents();
  const tree = parents.has(pid) ? [pid] : [];
  for (let index = 0; index < tree.length; index++) {
    for (const [child, parent] of parents) if (parent === tree[index]) tree.push(child);
  }
  return tree;
}

function isAlive(pid: number): boolean {
  return pidsAndParents().has(pid);
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SimulatedNucleus {
  readonly name: string;
  readonly version: string;
  readonly workPath: string;
  readonly logFile: string;
  readonly decompressedPath: string;
  readonly states: { state: ComponentState; at: number }[] = [];
  private manifest!: Manifest;
  private configuration: JsonObject = {};
  private lifecycle: Lifecycle = {};
  private runProcess?: ChildProcess;
  private runExit?: Promise<number | null>;
  private stopping = false;
  private errors: { state: ComponentState; at: number }[] = [];
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: NucleusOptions) {
    this.name = options.recipe.ComponentName;
    this.version = options.recipe.ComponentVersion;
    this.workPath = path.join(options.root, 'work', this.name);
    this.logFile = path.join(options.root, 'logs', `${this.name}.log`);
    this.decompressedPath = path.join(options.root, 'packages', 'artifacts-unarchived', this.name, this.version);
  }

  get state(): ComponentState {
    return this.states[this.states.length - 1]?.state ?? 'NEW';
  }

  get runPid(): number | undefined {
    return this.runProcess?.pid;
  }

  /**
   * Selects the manifest, places the artifacts and resolves the lifecycle with the deployment's merge, onto the
   * recipe's default configuration or onto `base` (the configuration a previous version of the component had).
   */
  deploy(merge: object = {}, base?: JsonObject): void {
    const architecture = NUCLEUS_ARCHITECTURE[process.arch] ?? process.arch;
    const manifest = this.options.recipe.Manifests.find((candidate) => {
      const platform = candidate.Platform ?? {};
      return (platform.os ?? '*') === 'linux' || platform.os === '*' ? [undefined, '*', architecture].includes(platform.architecture) : false;
    });
    if (!manifest) throw new Error(`no manifest for linux/${architecture}`);
    this.manifest = manifest;
    const artifacts = path.join(this.options.root, 'packages', 'artifacts', this.name, this.version);
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(this.workPath, { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    for (const artifact of manifest.Artifacts ?? []) {
      // The nucleus names an artifact after the last segment of its URI (ArtifactDownloader.getArtifactFilename).
      const file = path.join(artifacts, path.basename(artifact.Uri));
      copyFileSync(path.join(this.options.artifactSource, path.basename(artifact.Uri)), file);
      applyArtifactPermission(file, artifact.Permission);
      if (artifact.Unarchive === 'ZIP') {
        const base = path.basename(file);
        const into = path.join(this.decompressedPath, base.indexOf('.') > 0 ? base.slice(0, base.lastIndexOf('.')) : base);
        mkdirSync(into, { recursive: true });
        unzipLikeJava(file, into);
        applyArtifactPermission(into, artifact.Permission);
      }
    }
    this.configuration = mergeConfiguration(base ?? this.defaultConfiguration, merge as Json) as JsonObject;
    this.lifecycle = this.resolve(manifest.Lifecycle) as Lifecycle;
  }

  /** The nucleus starting (or the device booting): Install, then Run. */
  start(): void {
    this.stopping = false;
    this.loop = this.loop.then(() => this.installThenRun());
  }

  get defaultConfiguration(): JsonObject {
    return structuredClone(this.options.recipe.ComponentConfiguration?.DefaultConfiguration ?? {});
  }

  /** The configuration the component runs with now. */
  get currentConfiguration(): JsonObject {
    return structuredClone(this.configuration);
  }

  /** A deployment merging configuration: restarts (or reinstalls) when the resolved lifecycle changed. */
  async updateConfiguration(merge: object): Promise<'restarted' | 'reinstalled' | 'unchanged'> {
    await this.loop;
    return this.replaceConfiguration(mergeConfiguration(this.configuration, merge as Json) as JsonObject);
  }

  /** A deployment that leaves the component with `configuration` (after its RESET and MERGE). */
  async replaceConfiguration(configuration: JsonObject): Promise<'restarted' | 'reinstalled' | 'unchanged'> {
    await this.loop;
    this.configuration = structuredClone(configuration);
    const next = this.resolve(this.manifest.Lifecycle) as Lifecycle;
    const installChanged = JSON.stringify(next.install) !== JSON.stringify(this.lifecycle.install);
    const changed = JSON.stringify(next) !== JSON.stringify(this.lifecycle);
    this.lifecycle = next;
    if (!changed) return 'unchanged';
    await this.stop();
    this.report(installChanged ? 'NEW' : 'INSTALLED');
    this.stopping = false;
    this.loop = installChanged ? this.installThenRun() : this.runStep();
    await this.loop;
    return installChanged ? 'reinstalled' : 'restarted';
  }

  /** Stops the component as the nucleus does on shutdown: Shutdown step, SIGTERM, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    await this.loop;
    if (this.state === 'FINISHED' || this.state === 'BROKEN') return;
    this.stopping = true;
    this.report('STOPPING');
    await this.shutdownAndClose();
    this.report('FINISHED');
  }

  /** Resolves when the nucleus has finished what it was doing (a restart, the stop that follows BROKEN). */
  async settled(): Promise<void> {
    await this.loop;
  }

  async waitForState(state: ComponentState, timeoutMs: number, after = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.states.slice(after).some((entry) => entry.state === state)) {
      if (Date.now() > deadline) throw new Error(`${this.name} did not reach ${state} within ${timeoutMs} ms (states: ${this.states.map((entry) => entry.state).join(' > ')})`);
      await sleep(50);
    }
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  private report(state: ComponentState): void {
    this.states.push({ state, at: Date.now() });
    appendFileSync(this.logFile, `[nucleus] ${new Date().toISOString()} ${this.name} ${state}\n`);
  }

  private resolve(value: unknown): unknown {
    if (typeof value === 'string') return this.interpolate(value);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
    return value;
  }

  private interpolate(text: string): string {
    const system: Record<string, Record<string, string>> = {
      artifacts: { path: path.join(this.options.root, 'packages', 'artifacts', this.name, this.version), decompressedPath: this.decompressedPath },
      work: { path: this.workPath },
      kernel: { rootPath: this.options.root },
      iot: { thingName: this.options.thingName },
    };
    let resolved = text;
    for (const match of text.matchAll(/\{([.\w-]+):([^:}]*)\}/g)) {
      const [whole, namespace, key] = match;
      const value = namespace === 'configuration' ? valueAtPointer(this.configuration, key) : system[namespace]?.[key];
      if (value !== undefined) resolved = resolved.replace(whole, asText(value));
    }
    for (const match of [...resolved.matchAll(/\{([.\w-]+):([.\w-]+):([^:}]*)\}/g)]) {
      const [whole, component, namespace, key] = match;
      if (!(component in (this.options.recipe.ComponentDependencies ?? {})) || namespace !== 'configuration') continue;
      const value = valueAtPointer(this.options.dependencyConfiguration[component] ?? {}, key);
      if (value !== undefined) resolved = resolved.replace(whole, asText(value));
    }
    return resolved;
  }

  private environment(step: Step | undefined): NodeJS.ProcessEnv {
    const dead = `http://127.0.0.1:${this.options.deadPort}`;
    return {
      PATH: process.env.PATH,
      HOME: this.workPath,
      LANG: 'C.UTF-8',
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      AWS_IOT_THING_NAME: this.options.thingName,
      GGC_VERSION: '2.14.0',
      GG_ROOT_CA_PATH: path.join(this.options.root, 'rootCA.pem'),
      AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: path.join(this.options.root, 'ipc.socket'),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${dead}/2016-11-01/credentialprovider/`,
      SVCUID: this.options.token,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: this.options.token,
      // No registry on this device: anything that tries npm fails fast instead of reaching out.
      npm_config_registry: `${dead}/`,
      npm_config_offline: 'false',
      ...this.lifecycle.Setenv,
      ...(typeof step === 'object' ? step.Setenv : {}),
    };
  }

  private spawnStep(name: keyof Lifecycle): ChildProcess | undefined {
    const step = this.lifecycle[name] as Step | undefined;
    if (step === undefined) return undefined;
    const script = typeof step === 'string' ? step : step.Script;
    const child = spawn('sh', ['-c', script], { cwd: this.workPath, env: this.environment(step), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const write = (stream: string) => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) appendFileSync(this.logFile, `[${name}.${stream}] ${line}\n`);
    };
    child.stdout?.on('data', write('stdout'));
    child.stderr?.on('data', write('stderr'));
    return child;
  }

  private exitOf(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 128);
      else child.once('exit', (code, signalName) => resolve(signalName ? 128 : code));
    });
  }

  /** Runs a step to its end within `timeoutS`; returns its exit code, or undefined when it timed out. */
  private async runToEnd(name: keyof Lifecycle, defaultTimeoutS: number): Promise<number | undefined> {
    const child = this.spawnStep(name);
    if (!child) return 0;
    const step = this.lifecycle[name] as Step;
    const timeoutS = typeof step === 'object' && step.Timeout ? step.Timeout : defaultTimeoutS;
    const exit = this.exitOf(child);
    const outcome = await Promise.race([exit, sleep(timeoutS * 1000).then(() => 'timeout' as const)]);
    if (outcome !== 'timeout') return outcome ?? 1;
    await this.close(child);
    return undefined;
  }

  private async installThenRun(): Promise<void> {
    for (;;) {
      this.report('NEW');
      const exit = await this.runToEnd('install', DEFAULT_INSTALL_TIMEOUT_S);
      if (exit === 0) break;
      if (this.errored('NEW')) return;
    }
    this.report('INSTALLED');
    await this.runStep();
  }

  private async runStep(): Promise<void> {
    const child = this.spawnStep('run');
    if (!child) return;
    this.runProcess = child;
    this.runExit = this.exitOf(child);
    this.report('RUNNING');
    void this.runExit.then((code) => {
      if (this.stopping || this.runProcess !== child) return;
      this.loop = this.loop.then(() => this.afterRunExit(code));
    });
  }

  private async afterRunExit(code: number | null): Promise<void> {
    if (code === 0) return this.report('FINISHED');
    if (this.errored('RUNNING')) {
      await this.shutdownAndClose();
      return;
    }
    this.report('STOPPING');
    await this.shutdownAndClose();
    this.report('INSTALLED');
    await this.runStep();
  }

  /** Reports ERRORED; returns true when that made the component BROKEN. */
  private errored(state: ComponentState): boolean {
    const now = Date.now();
    const recent = this.errors.filter((error) => error.state === state && now - error.at < 3_600_000);
    this.errors = [...recent, { state, at: now }];
    this.report('ERRORED');
    if (this.errors.length < MAXIMUM_CONTINUAL_ERROR) return false;
    this.report('BROKEN');
    return true;
  }

  private async shutdownAndClose(): Promise<void> {
    await this.runToEnd('shutdown', DEFAULT_SHUTDOWN_TIMEOUT_S);
    if (this.runProcess) await this.close(this.runProcess);
    this.runProcess = undefined;
  }

  /** UnixExec.close: SIGTERM to the process and its children, up to 5 s for them, then SIGKILL to what is left. */
  private async close(child: ChildProcess): Promise<void> {
    if (child.pid === undefined || !isAlive(child.pid)) return;
    const pids = processTree(child.pid);
    signal(pids, 'SIGTERM');
    const deadline = Date.now() + GRACEFUL_SHUTDOWN_MS;
    while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
    if (pids.some(isAlive)) {
      appendFileSync(this.logFile, `[nucleus] did not respond to interruption within timeout, killing ${pids.join(', ')}\n`);
      signal(pids, 'SIGKILL');
    }
    await this.exitOf(child);
  }
}
