#!/usr/bin/env node
// npm run greengrass:package -- --out DIR [--bucket B [--prefix P]] ...
// Builds the component's artifacts for devices that cannot reach the npm registry: Node-RED and this package with
// their production dependencies (installed from the packed tarball of this repository), the flows file, and a
// Node.js per architecture, in the layout greengrass-cli takes for a local deployment (recipes/, artifacts/<name>/
// <version>/); writes the recipe with the artifact URIs filled in; prints the greengrass-cli commands that deploy it
// on one device and, with --bucket, the AWS CLI commands that upload and register the component version.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as yaml from 'js-yaml';
import { checkRecipe } from './recipe-format';
import { filesUnder, writeArchive } from './artifact-archive';

const ROOT = path.resolve(__dirname, '..', '..');
const TEMPLATE = path.join(ROOT, 'greengrass', 'recipe.yaml');
const APP_ARTIFACT = 'node-red-app.zip';
const NODE_VARIABLE = 'NODE_RED_GG_NODE';
/** GDK publishes a recipe after replacing this word in its artifact URIs with the bucket it uploads to. */
const GDK_BUCKET = 'BUCKET_NAME';
const DEFAULT_NODE_VERSION = '22';

/** Our architecture names (those of Node.js and its npm packages) and the nucleus's. */
const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'aarch64' };

const USAGE = `Usage: npm run greengrass:package -- --out DIR [--bucket BUCKET] [options]

Options:
  --out DIR               where to write recipes/ and artifacts/ (required)
  --bucket BUCKET         the S3 bucket the artifacts will be uploaded to, for cloud deployments (default: none,
                          for a local deployment with greengrass-cli on one device)
  --prefix PREFIX         key prefix in the bucket (default: none)
  --name NAME             component name (default: the recipe's, NodeRedStreamManager)
  --version X.Y.Z         component version (default: this package's version)
  --flows FILE            flows file packaged as the default flows (default: greengrass/flows.json)
  --arch LIST             architectures, comma separated: x64, arm64 (default: both)
  --node bundle|system    bundle Node.js per architecture from npm (default), or use the device's node on PATH
  --node-version RANGE    version of the node-linux-<arch> npm packages to bundle (default: ${DEFAULT_NODE_VERSION})
  --node-binary ARCH=FILE bundle this node executable for ARCH instead of fetching node-linux-ARCH
  --region REGION         region for the printed AWS CLI commands (default: AWS_REGION, else none)
  --help                  show this text`;

interface PackageOptions {
  out: string;
  /** Absent: a build for a local deployment, whose artifact URIs only name the files. */
  bucket?: string;
  prefix: string;
  name?: string;
  version: string;
  flows: string;
  architectures: string[];
  bundleNode: boolean;
  nodeVersion: string;
  nodeBinaries: Record<string, string>;
  region?: string;
}

class PackageOptionError extends Error {
  readonly code = 'Usage';
}

type RecipeObject = Record<string, unknown> & { Manifests: Manifest[]; ComponentName: string; ComponentVersion: string };
type Manifest = {
  Name?: string;
  Platform?: { architecture?: string };
  Lifecycle: Record<string, unknown> & { Setenv: Record<string, string> };
  Artifacts: { Uri: string }[];
};

function parseOptions(argv: string[]): PackageOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      bucket: { type: 'string' },
      prefix: { type: 'string', default: '' },
      name: { type: 'string' },
      version: { type: 'string' },
      flows: { type: 'string', default: path.join(ROOT, 'greengrass', 'flows.json') },
      arch: { type: 'string', default: Object.keys(ARCHITECTURES).join(',') },
      node: { type: 'string', default: 'bundle' },
      'node-version': { type: 'string', default: DEFAULT_NODE_VERSION },
      'node-binary': { type: 'string', multiple: true, default: [] },
      region: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!values.out) throw new PackageOptionError('--out DIR is required: the folder to write the recipe and artifacts to');
  if (values.bucket !== undefined && values.bucket !== GDK_BUCKET && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(values.bucket)) {
    throw new PackageOptionError(`--bucket must name an S3 bucket (lower-case letters, digits, dots, dashes), got ${JSON.stringify(values.bucket)}`);
  }
  if (values.bucket === undefined && values.prefix) throw new PackageOptionError('--prefix goes with --bucket: it is the key prefix in that bucket');
  const architectures = values.arch.split(',').map((arch) => arch.trim()).filter(Boolean);
  for (const arch of architectures) {
    if (!ARCHITECTURES[arch]) throw new PackageOptionError(`--arch ${arch} is not one of ${Object.keys(ARCHITECTURES).join(', ')}`);
  }
  if (architectures.length === 0) throw new PackageOptionError('--arch names no architecture');
  if (values.node !== 'bundle' && values.node !== 'system') throw new PackageOptionError(`--node must be bundle or system, got ${values.node}`);
  const nodeBinaries: Record<string, string> = {};
  for (const pair of values['node-binary']) {
    const [arch, file] = pair.split('=', 2);
    if (!ARCHITECTURES[arch] || !file) throw new PackageOptionError(`--node-binary must be ARCH=FILE with ARCH one of ${Object.keys(ARCHITECTURES).join(', ')}, got ${pair}`);
    nodeBinaries[arch] = path.resolve(file);
  }
  const ourPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    out: path.resolve(values.out),
    bucket: values.bucket,
    prefix: values.prefix.replace(/^\/+|\/+$/g, ''),
    name: values.name,
    version: values.version ?? ourPackage.version,
    flows: path.resolve(values.flows),
    architectures,
    bundleNode: values.node === 'bundle',
    nodeVersion: values['node-version'],
    nodeBinaries,
    region: values.region ?? (process.env.AWS_REGION || undefined),
  };
}

function npm(args: string[], cwd: string): string {
  const npmCli = process.env.npm_execpath;
  // Under `npm run`, npm_execpath is npm's own CLI script: run it with this node rather than a shell lookup.
  const [command, prefix] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function packedFileName(output: string): string {
  const packed = JSON.parse(output) as { filename: string }[];
  return packed[0].filename.replace(/^@/, '').replace(/\//g, '-');
}

type LockEntry = Record<string, unknown> & { dependencies?: Record<string, string> };

/** Where Node.js would find `name` from the package at `location` in a lock file: its own node_modules, then up. */
function resolveInLock(packages: Record<string, LockEntry>, location: string, name: string): string | undefined {
  let base = location;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/**
 * The app's lock file, made from ours, so that npm installs exactly the versions this repository is tested with
 * and needs no registry metadata: the entries the app's two dependencies reach, without their dev flags.
 */
function appLockFile(appPackage: { dependencies: Record<string, string> }, ourName: string, ourVersion: string, tarball: string): object {
  const ours = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const ourDependencies = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  const source: Record<string, LockEntry> = { ...ours.packages, [`node_modules/${ourName}`]: { version: ourVersion, resolved: `file:${tarball}`, dependencies: ourDependencies } };
  const packages: Record<string, LockEntry> = { '': appPackage as unknown as LockEntry };
  const pending = Object.keys(appPackage.dependencies).map((name) => resolveInLock(source, '', name));
  for (let location = pending.pop(); location !== undefined || pending.length > 0; location = pending.pop()) {
    if (location === undefined || packages[location]) continue;
    const { dev: _dev, devOptional: _devOptional, ...kept } = source[location];
    packages[location] = kept;
    const wanted = { ...(kept.dependencies ?? {}), ...((kept.optionalDependencies as Record<string, string> | undefined) ?? {}), ...((kept.peerDependencies as Record<string, string> | undefined) ?? {}) };
    for (const name of Object.keys(wanted)) pending.push(resolveInLock(source, location, name));
  }
  return { name: 'node-red-greengrass-app', version: ourVersion, lockfileVersion: 3, requires: true, packages };
}

function buildApp(options: PackageOptions, work: string): string {
  const ourPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const nodeRedVersion = (JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;
  log(`packing ${ourPackage.name} ${ourPackage.version}`);
  const tarball = packedFileName(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT));
  const app = path.join(work, 'app');
  mkdirSync(app);
  const appPackage = {
    name: 'node-red-greengrass-app',
    version: ourPackage.version,
    private: true,
    description: 'Node-RED and the Stream Manager nodes, as a Greengrass component artifact',
    dependencies: { 'node-red': nodeRedVersion, [ourPackage.name]: `file:../${tarball}` },
  };
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(appLockFile(appPackage, ourPackage.name, ourPackage.version, `../${tarball}`), null, 2));
  log(`installing Node-RED ${nodeRedVersion} and ${ourPackage.name} with production dependencies only`);
  // No optional dependencies: they are native builds for one architecture, and both packages run without them.
  npm(['install', '--omit=dev', '--omit=optional', '--omit=peer', '--ignore-scripts', '--no-bin-links', '--no-audit', '--no-fund', '--loglevel=error'], app);
  const launcher = path.join(app, 'node_modules', ourPackage.name, 'dist', 'greengrass', 'launcher.js');
  if (!existsSync(launcher)) {
    throw new Error(`the packed ${ourPackage.name} has no dist/greengrass/launcher.js: package.json "files" must include dist/greengrass`);
  }
  const flows = JSON.parse(readFileSync(options.flows, 'utf8')) as unknown;
  if (!Array.isArray(flows)) throw new PackageOptionError(`--flows ${options.flows} must hold the array of nodes the editor exports`);
  copyFileSync(options.flows, path.join(app, 'flows.json'));
  return app;
}

function nodeExecutable(options: PackageOptions, arch: string, work: string): string {
  const given = options.nodeBinaries[arch];
  if (given) return given;
  const folder = path.join(work, `node-linux-${arch}`);
  mkdirSync(folder);
  log(`fetching node-linux-${arch}@${options.nodeVersion} from the npm registry`);
  const tarball = packedFileName(npm(['pack', '--json', `node-linux-${arch}@${options.nodeVersion}`, '--pack-destination', folder], folder));
  execFileSync('tar', ['-xzf', path.join(folder, tarball), '-C', folder, 'package/bin/node']);
  return path.join(folder, 'package', 'bin', 'node');
}

function artifactsFolder(options: PackageOptions, name: string): string {
  return path.join(options.out, 'artifacts', name, options.version);
}

/**
 * Where an artifact will be in S3. Without a bucket, GDK's placeholder stands in: a local deployment takes each
 * artifact from artifacts/<name>/<version>/ by the URI's file name and never downloads it (the nucleus uses a file
 * already in its component store when the recipe, as local recipes do, carries no digest).
 */
function s3Uri(options: PackageOptions, name: string, relative: string): string {
  return `s3://${[options.bucket ?? GDK_BUCKET, options.prefix, name, options.version, relative].filter(Boolean).join('/')}`;
}

function nodeArtifact(arch: string): string {
  return `node-linux-${arch}.zip`;
}

/** The template with this build's name, version, manifests and URIs. */
function recipeFor(options: PackageOptions): RecipeObject {
  const recipe = yaml.load(readFileSync(TEMPLATE, 'utf8')) as RecipeObject;
  const name = options.name ?? recipe.ComponentName;
  recipe.ComponentName = name;
  recipe.ComponentVersion = options.version;
  recipe.Manifests = options.architectures.map((arch) => {
    const template = recipe.Manifests.find((manifest) => manifest.Platform?.architecture === ARCHITECTURES[arch]);
    if (!template) throw new PackageOptionError(`greengrass/recipe.yaml has no manifest for ${ARCHITECTURES[arch]}`);
    const manifest = structuredClone(template);
    manifest.Artifacts = manifest.Artifacts.flatMap((artifact) => {
      if (artifact.Uri.endsWith(`/${APP_ARTIFACT}`)) return [{ ...artifact, Uri: s3Uri(options, name, APP_ARTIFACT) }];
      if (artifact.Uri.endsWith(`/${nodeArtifact(arch)}`)) return options.bundleNode ? [{ ...artifact, Uri: s3Uri(options, name, nodeArtifact(arch)) }] : [];
      return [artifact];
    });
    if (!options.bundleNode) manifest.Lifecycle.Setenv[NODE_VARIABLE] = 'node';
    return manifest;
  });
  const problems = checkRecipe(recipe);
  if (problems.length > 0) throw new PackageOptionError(`the recipe is not well formed:\n  ${problems.join('\n  ')}`);
  return recipe;
}

function log(message: string): void {
  process.stderr.write(`greengrass:package: ${message}\n`);
}

async function writeArtifacts(options: PackageOptions, artifacts: string, work: string): Promise<void> {
  const app = buildApp(options, work);
  await writeArchive(path.join(artifacts, APP_ARTIFACT), filesUnder(app).filter((entry) => entry.name !== 'package-lock.json'));
  if (!options.bundleNode) return;
  for (const arch of options.architectures) {
    const executable = nodeExecutable(options, arch, work);
    await writeArchive(path.join(artifacts, nodeArtifact(arch)), [{ name: 'bin/node', source: executable, mode: 0o755 }]);
  }
}

/** What to type on the device to deploy this build locally with greengrass-cli, and to look at it. */
function localDeploymentCommands(options: PackageOptions, name: string): string[] {
  const device = `~/${path.basename(options.out)}`;
  const cli = 'sudo /greengrass/v2/bin/greengrass-cli';
  return [
    `Deploy it on one core device (no bucket, no cloud): copy ${options.out} to the device, e.g.`,
    `  scp -r "${options.out}" gateway:${device}`,
    'then on the device:',
    `  ${cli} deployment create --recipeDir ${device}/recipes --artifactDir ${device}/artifacts --merge "${name}=${options.version}"`,
    `  ${cli} component list`,
    `  sudo tail -f /greengrass/v2/logs/${name}.log`,
  ];
}

function cloudCommands(options: PackageOptions, name: string, artifacts: string, recipeFile: string): string[] {
  const region = options.region ? ` --region ${options.region}` : '';
  return [
    'Upload the artifacts and register the component version:',
    `  aws s3 cp --recursive "${artifacts}" "${s3Uri(options, name, '')}"${region}`,
    `  aws greengrassv2 create-component-version --inline-recipe "fileb://${recipeFile}"${region}`,
  ];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const recipe = recipeFor(options);
  const name = recipe.ComponentName;
  const work = mkdtempSync(path.join(tmpdir(), 'greengrass-package-'));
  try {
    const artifacts = artifactsFolder(options, name);
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    await writeArtifacts(options, artifacts, work);
    const recipes = path.join(options.out, 'recipes');
    mkdirSync(recipes, { recursive: true });
    const recipeFile = path.join(recipes, `${name}-${options.version}.yaml`);
    const header = `# Written by npm run greengrass:package from greengrass/recipe.yaml; artifacts in ${path.relative(options.out, artifacts)}\n`;
    const placeholder = options.bucket ? '' : `# No --bucket: the artifact URIs only name the files, for a local deployment with greengrass-cli.\n`;
    writeFileSync(recipeFile, `${header}${placeholder}${yaml.dump(recipe, { noRefs: true, lineWidth: 120 })}`);
    const next = [...localDeploymentCommands(options, name), ...(options.bucket ? ['', ...cloudCommands(options, name, artifacts, recipeFile)] : [])];
    process.stdout.write([`Recipe:    ${recipeFile}`, `Artifacts: ${artifacts}`, '', ...next, ''].join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`greengrass:package: ${message}${error instanceof PackageOptionError ? `\n\n${USAGE}` : ''}\n`);
  process.exit(error instanceof PackageOptionError ? 2 : 1);
}

if (existsSync(TEMPLATE)) main().catch(fail);
else fail(new PackageOptionError(`${TEMPLATE} is missing`));
