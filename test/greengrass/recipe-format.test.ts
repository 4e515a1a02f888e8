// The component recipe against the Greengrass v2 recipe format, and the checker against the mistakes it exists for.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as yaml from 'js-yaml';
import { ENV } from '../../greengrass/component-configuration';
import { checkRecipe } from '../../greengrass/recipe-format';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'greengrass', 'recipe.yaml');

type Mapping = Record<string, unknown>;

/** The mapping at a dotted path such as "Manifests.0.Lifecycle". */
function at(root: Mapping, dotted: string): Mapping {
  return dotted.split('.').reduce<Mapping>((node, key) => node[key] as Mapping, root);
}

function recipe(): Mapping {
  // Through JSON, so that the two manifests no longer share the one Lifecycle the YAML alias gives them.
  return JSON.parse(JSON.stringify(yaml.load(readFileSync(TEMPLATE, 'utf8')))) as Mapping;
}

function problemsAfter(change: (recipe: Mapping) => void): string[] {
  const changed = recipe();
  change(changed);
  return checkRecipe(changed);
}

function renameKey(object: Mapping, from: string, to: string): void {
  object[to] = object[from];
  delete object[from];
}

describe('greengrass/recipe.yaml', () => {
  it('is a well-formed Greengrass v2 recipe with Linux manifests for x86_64 and arm64', () => {
    const template = recipe();
    assert.deepEqual(checkRecipe(template), []);
    const platforms = (template.Manifests as Mapping[]).map((manifest) => `${at(manifest, 'Platform').os}/${at(manifest, 'Platform').architecture}`);
    assert.deepEqual(platforms, ['linux/amd64', 'linux/aarch64']);
  });

  it('depends hard on Stream Manager 2.x', () => {
    assert.deepEqual(at(recipe(), 'ComponentDependencies')['aws.greengrass.StreamManager'], { VersionRequirement: '>=2.0.0 <3.0.0', DependencyType: 'HARD' });
  });

  it('gives Run no timeout (the nucleus would kill a long-running Run after it) and Shutdown more than Node-RED needs to close its nodes (15 s)', () => {
    for (const manifest of recipe().Manifests as Mapping[]) {
      assert.equal(at(manifest, 'Lifecycle.run').Timeout, undefined);
      assert.ok(Number(at(manifest, 'Lifecycle.shutdown').Timeout) > 15);
      assert.match(String(at(manifest, 'Lifecycle.run').Script), /^exec /, 'Run replaces the shell, so that SIGTERM reaches Node-RED');
    }
  });

  it('sets every variable the launcher reads from the configuration', () => {
    const setenv = Object.keys(at(recipe(), 'Manifests.0.Lifecycle.Setenv'));
    for (const variable of Object.values(ENV)) assert.ok(setenv.includes(variable), `${variable} is not set by the recipe`);
  });
});

describe('recipe format check', () => {
  it('names a misspelt top-level key with its right spelling', () => {
    const problems = problemsAfter((changed) => renameKey(changed, 'ComponentDescription', 'ComponentDescripton'));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /ComponentDescripton: is not a recipe key here/);
    const dependencies = problemsAfter((changed) => renameKey(changed, 'ComponentDependencies', 'ComponentDependancies'));
    assert.match(dependencies[0], /ComponentDependancies: is not a recipe key here/);
    assert.match(dependencies.join('\n'), /aws.greengrass.StreamManager is not a dependency of this component/, 'and the variables that needed it');
  });

  it('names a key in the wrong case', () => {
    const problems = problemsAfter((changed) => renameKey(at(changed, 'Manifests.0.Lifecycle.install'), 'Timeout', 'TimeOut'));
    assert.deepEqual(problems, ['Manifests[0].Lifecycle.install.TimeOut: is spelt Timeout in the recipe reference']);
  });

  it('refuses a misspelt platform key, lifecycle step and artifact key', () => {
    const problems = problemsAfter((changed) => {
      renameKey(at(changed, 'Manifests.0.Platform'), 'architecture', 'architecure');
      renameKey(at(changed, 'Manifests.0.Lifecycle'), 'shutdown', 'shutDown');
      renameKey(at(changed, 'Manifests.0.Artifacts.0'), 'Unarchive', 'Unzip');
    });
    assert.equal(problems.length, 3, problems.join('\n'));
  });

  it('refuses an unknown recipe variable, a configuration path the defaults lack and a variable of a non-dependency', () => {
    for (const [variable, expected] of [
      ['{artifacts:decompresedPath}', /is not a recipe variable/],
      ['{artifact:path}', /is not a recipe variable/],
      ['{configuration:/editr/port}', /DefaultConfiguration has nothing at \/editr\/port/],
      ['{aws.greengrass.Nucleus:configuration:/awsRegion}', /is not a dependency of this component/],
      ['{aws.greengrass.StreamManager:work:home}', /is not a recipe variable of a dependency/],
    ] as const) {
      const problems = problemsAfter((changed) => {
        const run = at(changed, 'Manifests.1.Lifecycle.run');
        run.Script = `${String(run.Script)} ${variable}`;
      });
      assert.equal(problems.length, 1, `${variable}: ${problems.join('\n')}`);
      assert.match(problems[0], expected);
    }
  });

  it('refuses values outside the enumerations', () => {
    const problems = problemsAfter((changed) => {
      (at(changed, 'ComponentDependencies')['aws.greengrass.StreamManager'] as Mapping).DependencyType = 'STRONG';
      at(changed, 'Manifests.0.Artifacts.1.Permission').Execute = 'EVERYONE';
      at(changed, 'Manifests.0.Artifacts.1').Unarchive = 'TAR';
      changed.RecipeFormatVersion = '2020-01-26';
    });
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  it('refuses a missing required key and a non-string environment value', () => {
    const problems = problemsAfter((changed) => {
      delete changed.ComponentVersion;
      at(changed, 'Manifests.0.Lifecycle.Setenv').NODE_RED_GG_LOG_LEVEL = 3;
    });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /lacks the required key ComponentVersion/);
    assert.match(problems.join('\n'), /NODE_RED_GG_LOG_LEVEL: must be a string/);
  });
});
