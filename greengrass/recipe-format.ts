// Checks a component recipe against the Greengrass v2 recipe format (RecipeFormatVersion 2020-01-25): the keys each
// level may have, spelt as the recipe reference spells them, the values the enumerations allow, and every recipe
// variable in the lifecycle against what the nucleus can resolve (KernelConfigResolver: the same-component
// namespaces artifacts, work, kernel, iot and configuration, and {dependency:namespace:key} for direct dependencies).
// The nucleus leaves a variable it cannot resolve in the script as it is, so a misspelt one fails only on a device.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TOP_LEVEL = {
  required: ['RecipeFormatVersion', 'ComponentName', 'ComponentVersion', 'Manifests'],
  optional: ['ComponentDescription', 'ComponentPublisher', 'ComponentSource', 'ComponentType', 'ComponentConfiguration', 'ComponentDependencies', 'Lifecycle'],
};
const COMPONENT_TYPES = ['aws.greengrass.generic', 'aws.greengrass.lambda', 'aws.greengrass.plugin', 'aws.greengrass.nucleus'];
const MANIFEST_KEYS = ['Platform', 'Name', 'Lifecycle', 'Selections', 'Artifacts'];
const PLATFORM_KEYS = ['os', 'architecture', 'architecture.detail', 'runtime'];
const LIFECYCLE_STEPS = ['install', 'run', 'startup', 'shutdown', 'recover', 'bootstrap'];
const STEP_KEYS = ['Script', 'RequiresPrivilege', 'Skipif', 'Timeout', 'Setenv'];
const BOOTSTRAP_KEYS = [...STEP_KEYS, 'BootstrapOnRollback'];
const ARTIFACT_KEYS = ['Uri', 'Digest', 'Algorithm', 'Unarchive', 'Permission'];
const PERMISSIONS = ['NONE', 'OWNER', 'ALL'];
const SYSTEM_VARIABLES: Record<string, string[]> = {
  artifacts: ['path', 'decompressedPath'],
  work: ['path'],
  kernel: ['rootPath'],
  iot: ['thingName'],
};
const DEPENDENCY_VARIABLES: Record<string, string[]> = { artifacts: ['path', 'decompressedPath'], work: ['path'] };
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class RecipeChecker {
  readonly problems: string[] = [];

  constructor(private readonly recipe: JsonObject) {}

  problem(where: string, what: string): void {
    this.problems.push(`${where}: ${what}`);
  }

  keys(where: string, value: Json | undefined, allowed: string[], required: string[] = []): value is JsonObject {
    if (!isObject(value)) {
      this.problem(where, 'must be a mapping');
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key) && !required.includes(key)) {
        const near = [...allowed, ...required].find((known) => known.toLowerCase() === key.toLowerCase());
        this.problem(`${where}.${key}`, near ? `is spelt ${near} in the recipe reference` : `is not a recipe key here (expected one of ${[...required, ...allowed].join(', ')})`);
      }
    }
    for (const key of required) if (!(key in value)) this.problem(where, `lacks the required key ${key}`);
    return true;
  }

  oneOf(where: string, value: Json | undefined, allowed: string[]): void {
    if (typeof value !== 'string' || !allowed.includes(value)) this.problem(where, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }

  check(): string[] {
    const recipe = this.recipe;
    if (!this.keys('recipe', recipe, TOP_LEVEL.optional, TOP_LEVEL.required)) return this.problems;
    if (recipe.RecipeFormatVersion !== '2020-01-25') this.problem('RecipeFormatVersion', 'must be "2020-01-25" (a string)');
    if (typeof recipe.ComponentName !== 'string' || !/^[A-Za-z0-9._-]+$/.test(recipe.ComponentName)) {
      this.problem('ComponentName', 'must be letters, digits, dots, dashes or underscores');
    } else if (recipe.ComponentName.startsWith('aws.greengrass')) {
      this.problem('ComponentName', 'must not start with aws.greengrass, which AWS keeps for its own components');
    }
    if (recipe.ComponentVersion !== undefined && (typeof recipe.ComponentVersion !== 'string' || !SEMVER.test(recipe.ComponentVersion))) this.problem('ComponentVersion', 'must be a semantic version string such as "1.0.0"');
    if (recipe.ComponentType !== undefined) this.oneOf('ComponentType', recipe.ComponentType, COMPONENT_TYPES);
    if (recipe.ComponentConfiguration !== undefined) this.keys('ComponentConfiguration', recipe.ComponentConfiguration, ['DefaultConfiguration']);
    this.checkDependencies(recipe.ComponentDependencies);
    if (recipe.Lifecycle !== undefined) this.checkLifecycle('Lifecycle', recipe.Lifecycle);
    if (!Array.isArray(recipe.Manifests) || recipe.Manifests.length === 0) {
      this.problem('Manifests', 'must be a list with at least one manifest');
    } else {
      recipe.Manifests.forEach((manifest, index) => this.checkManifest(`Manifests[${index}]`, manifest));
    }
    return this.problems;
  }

  private checkDependencies(dependencies: Json | undefined): void {
    if (dependencies === undefined) return;
    if (!isObject(dependencies)) return this.problem('ComponentDependencies', 'must be a mapping of component names');
    for (const [name, properties] of Object.entries(dependencies)) {
      const where = `ComponentDependencies.${name}`;
      if (!this.keys(where, properties, ['VersionRequirement', 'DependencyType'])) continue;
      if (properties.DependencyType !== undefined) this.oneOf(`${where}.DependencyType`, properties.DependencyType, ['HARD', 'SOFT']);
      if (properties.VersionRequirement !== undefined && typeof properties.VersionRequirement !== 'string') {
        this.problem(`${where}.VersionRequirement`, 'must be a version range string such as ">=2.0.0 <3.0.0"');
      }
    }
  }

  private checkManifest(where: string, manifest: Json): void {
    if (!this.keys(where, manifest, MANIFEST_KEYS)) return;
    if (manifest.Platform !== undefined && this.keys(`${where}.Platform`, manifest.Platform, PLATFORM_KEYS)) {
      const platform = manifest.Platform;
      if (platform.os !== undefined) this.oneOf(`${where}.Platform.os`, platform.os, ['linux', 'windows', 'darwin', '*']);
      if (platform.architecture !== undefined) this.oneOf(`${where}.Platform.architecture`, platform.architecture, ['amd64', 'aarch64', 'arm', 'x86', '*']);
    }
    if (manifest.Lifecycle !== undefined) this.checkLifecycle(`${where}.Lifecycle`, manifest.Lifecycle);
    if (manifest.Artifacts !== undefined) {
      if (!Array.isArray(manifest.Artifacts)) this.problem(`${where}.Artifacts`, 'must be a list');
      else manifest.Artifacts.forEach((artifact, index) => this.checkArtifact(`${where}.Artifacts[${index}]`, artifact));
    }
  }

  private checkArtifact(where: string, artifact: Json): void {
    if (!this.keys(where, artifact, ARTIFACT_KEYS.filter((key) => key !== 'Uri'), ['Uri'])) return;
    if (typeof artifact.Uri !== 'string' || !/^(s3|greengrass|docker):\/\/\S+$/.test(artifact.Uri)) this.problem(`${where}.Uri`, 'must be an s3://, greengrass:// or docker:// URI');
    if (artifact.Unarchive !== undefined) this.oneOf(`${where}.Unarchive`, artifact.Unarchive, ['ZIP', 'NONE']);
    if (artifact.Permission !== undefined && this.keys(`${where}.Permission`, artifact.Permission, ['Read', 'Execute'])) {
      for (const [key, value] of Object.entries(artifact.Permission)) this.oneOf(`${where}.Permission.${key}`, value, PERMISSIONS);
    }
  }

  private checkLifecycle(where: string, lifecycle: Json): void {
    if (!this.keys(where, lifecycle, ['Setenv', ...LIFECYCLE_STEPS])) return;
    for (const [key, value] of Object.entries(lifecycle)) {
      if (key === 'Setenv') this.checkSetenv(`${where}.Setenv`, value);
      else if (LIFECYCLE_STEPS.includes(key)) this.checkStep(`${where}.${key}`, value, key === 'bootstrap' ? BOOTSTRAP_KEYS : STEP_KEYS);
    }
  }

  private checkSetenv(where: string, setenv: Json): void {
    if (!isObject(setenv)) return this.problem(where, 'must be a mapping of variable names to values');
    for (const [name, value] of Object.entries(setenv)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.problem(`${where}.${name}`, 'is not an environment variable name');
      if (typeof value !== 'string') this.problem(`${where}.${name}`, 'must be a string (quote numbers and booleans)');
      else this.checkVariables(`${where}.${name}`, value);
    }
  }

  private checkStep(where: string, step: Json, allowed: string[]): void {
    if (typeof step === 'string') return this.checkVariables(where, step);
    if (!this.keys(where, step, allowed.filter((key) => key !== 'Script'), ['Script'])) return;
    if (typeof step.Script !== 'string' || step.Script.trim() === '') this.problem(`${where}.Script`, 'must be a command');
    else this.checkVariables(`${where}.Script`, step.Script);
    if (step.Timeout !== undefined && (typeof step.Timeout !== 'number' || !Number.isInteger(step.Timeout) || step.Timeout < 1)) {
      this.problem(`${where}.Timeout`, 'must be a whole number of seconds');
    }
    if (step.RequiresPrivilege !== undefined && typeof step.RequiresPrivilege !== 'boolean') this.problem(`${where}.RequiresPrivilege`, 'must be true or false');
    if (step.Setenv !== undefined) this.checkSetenv(`${where}.Setenv`, step.Setenv);
    if (step.Skipif !== undefined && (typeof step.Skipif !== 'string' || !/^(onpath|exists) \S/.test(step.Skipif))) {
      this.problem(`${where}.Skipif`, 'must be "onpath <command>" or "exists <file>"');
    }
  }

  /** Every {...} in the text must be a variable the nucleus resolves. */
  checkVariables(where: string, text: string): void {
    for (const match of text.matchAll(/\{([^{}]*)\}/g)) {
      const parts = match[1].split(':');
      if (parts.length === 2) this.checkSameComponentVariable(where, match[0], parts[0], parts[1]);
      else if (parts.length === 3) this.checkDependencyVariable(where, match[0], parts[0], parts[1], parts[2]);
      else this.problem(where, `${match[0]} is not a recipe variable ({namespace:key} or {component:namespace:key})`);
    }
  }

  private checkSameComponentVariable(where: string, variable: string, namespace: string, key: string): void {
    if (namespace === 'configuration') {
      if (!this.configurationHas(key)) this.problem(where, `${variable}: DefaultConfiguration has nothing at ${key}`);
      return;
    }
    if (!SYSTEM_VARIABLES[namespace]?.includes(key)) {
      this.problem(where, `${variable} is not a recipe variable (known: ${Object.entries(SYSTEM_VARIABLES).flatMap(([space, keys]) => keys.map((known) => `{${space}:${known}}`)).join(', ')}, {configuration:/path})`);
    }
  }

  private checkDependencyVariable(where: string, variable: string, component: string, namespace: string, key: string): void {
    const dependencies = this.recipe.ComponentDependencies;
    if (!isObject(dependencies) || !(component in dependencies)) {
      return this.problem(where, `${variable}: ${component} is not a dependency of this component, so the nucleus leaves it unresolved`);
    }
    if (namespace === 'configuration' ? !key.startsWith('/') : !DEPENDENCY_VARIABLES[namespace]?.includes(key)) {
      this.problem(where, `${variable} is not a recipe variable of a dependency`);
    }
  }

  private configurationHas(pointer: string): boolean {
    const configuration = this.recipe.ComponentConfiguration;
    return pointer.startsWith('/') && valueAtPointer(isObject(configuration) ? configuration.DefaultConfiguration : undefined, pointer) !== undefined;
  }
}

/** The value at a JSON pointer (RFC 6901), as the nucleus looks up {configuration:/pointer}; undefined if none. */
export function valueAtPointer(root: Json | undefined, pointer: string): Json | undefined {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node: Json | undefined = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** The problems found in a parsed recipe, each naming where it is; empty when the recipe is well formed. */
export function checkRecipe(recipe: unknown): string[] {
  if (!isObject(recipe as Json)) return ['recipe: must be a mapping'];
  return new RecipeChecker(recipe as JsonObject).check();
}
