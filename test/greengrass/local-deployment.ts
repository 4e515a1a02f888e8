// `greengrass-cli deployment create` as the nucleus carries it out for our component, on top of the simulated
// nucleus: recipes read from --recipeDir, artifacts taken from --artifactDir/<name>/<version>/ by the file name of
// each artifact URI (a local recipe has no digest, so the nucleus uses the file it has and never downloads it), the
// configuration of --update-config applied as RESET then MERGE, and a deployment of another version stopping the one
// running and starting the new one with the configuration the old one had (the new defaults fill in what is missing).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { valueAtPointer, type Json } from '../../greengrass/recipe-format';
import { mergeConfiguration, SimulatedNucleus, type JsonObject, type NucleusOptions, type Recipe } from './simulated-nucleus';

export interface ConfigurationUpdate {
  /** Any JSON object; typed loosely so that flows built in tests pass as they are. */
  MERGE?: object;
  RESET?: string[];
}

export interface LocalDeploymentRequest {
  recipeDir: string;
  artifactDir: string;
  /** --merge NAME=VERSION */
  merge?: string[];
  /** --update-config, as the JSON document (string or file) gives it. */
  updateConfig?: Record<string, ConfigurationUpdate>;
  /** --remove NAME */
  remove?: string[];
}

export type DeviceOptions = Omit<NucleusOptions, 'recipe' | 'artifactSource'>;

function recipesIn(folder: string): Recipe[] {
  return readdirSync(folder)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .map((file) => yaml.load(readFileSync(path.join(folder, file), 'utf8')) as Recipe);
}

/** RESET: each pointer back to its default value, or gone when the default has none; '' resets everything. */
export function resetConfiguration(configuration: JsonObject, defaults: JsonObject, pointers: string[]): JsonObject {
  let result = structuredClone(configuration);
  for (const pointer of pointers) {
    if (pointer === '') {
      result = structuredClone(defaults);
      continue;
    }
    const keys = pointer.slice(1).split('/').map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
    const parent = valueAtPointer(result, keys.length > 1 ? `/${pointer.slice(1).split('/').slice(0, -1).join('/')}` : '');
    if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) continue;
    const last = keys[keys.length - 1];
    const fallback = valueAtPointer(defaults, pointer);
    if (fallback === undefined) delete (parent as JsonObject)[last];
    else (parent as JsonObject)[last] = structuredClone(fallback);
  }
  return result;
}

export class LocalDeployments {
  private readonly components = new Map<string, SimulatedNucleus>();
  readonly history: { name: string; version: string }[] = [];

  constructor(private readonly device: DeviceOptions) {}

  running(name: string): SimulatedNucleus | undefined {
    return this.components.get(name);
  }

  async create(request: LocalDeploymentRequest): Promise<void> {
    const recipes = recipesIn(request.recipeDir);
    for (const name of request.remove ?? []) await this.removeComponent(name);
    for (const wanted of request.merge ?? []) {
      const [name, version] = wanted.split('=', 2);
      const recipe = recipes.find((candidate) => candidate.ComponentName === name && candidate.ComponentVersion === version);
      if (!recipe) throw new Error(`no recipe for ${wanted} in ${request.recipeDir}`);
      await this.deployComponent(recipe, request.artifactDir, request.updateConfig?.[name] ?? {});
    }
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.components.keys()]) await this.removeComponent(name);
  }

  private async deployComponent(recipe: Recipe, artifactDir: string, update: ConfigurationUpdate): Promise<void> {
    const name = recipe.ComponentName;
    const previous = this.components.get(name);
    const defaults = (recipe.ComponentConfiguration?.DefaultConfiguration ?? {}) as JsonObject;
    const carried = previous ? (mergeConfiguration(defaults, previous.currentConfiguration) as JsonObject) : structuredClone(defaults);
    const configuration = mergeConfiguration(resetConfiguration(carried, defaults, update.RESET ?? []), (update.MERGE ?? {}) as Json) as JsonObject;
    if (previous && previous.version === recipe.ComponentVersion) {
      await previous.replaceConfiguration(configuration);
      return;
    }
    const artifactSource = path.join(artifactDir, name, recipe.ComponentVersion);
    for (const manifest of recipe.Manifests) {
      for (const artifact of manifest.Artifacts ?? []) {
        const file = path.join(artifactSource, path.basename(artifact.Uri));
        if (!existsSync(file)) throw new Error(`${artifact.Uri} is not in ${artifactSource}: the nucleus would try to download it`);
      }
    }
    if (previous) {
      await previous.stop();
      this.components.delete(name);
    }
    const next = new SimulatedNucleus({ ...this.device, recipe, artifactSource });
    next.deploy({}, configuration);
    this.components.set(name, next);
    this.history.push({ name, version: recipe.ComponentVersion });
    next.start();
  }

  private async removeComponent(name: string): Promise<void> {
    const component = this.components.get(name);
    if (!component) return;
    await component.stop();
    this.components.delete(name);
  }
}
