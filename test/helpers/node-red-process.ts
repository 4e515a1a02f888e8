// Node-RED as a user runs it, in a child process the tests start, stop with SIGTERM (Ctrl-C) or kill -9:
//   node node-red-process.js stock   stock settings: no persistent context store
//   node node-red-process.js start   npm start's settings (a localfilesystem context store)
// NODE_RED_USER_DIR names the user dir, STREAM_MANAGER_SERVER_PORT the server it talks to, PORT the editor's port (as
// for npm start and a stock Node-RED; unset or empty: any free one). Once started, it prints
// `ready <editor URL>` (HTTP endpoints of npm start's settings are under <editor URL>api/).
import { startEnvironment } from '../../scripts/start';

async function main(): Promise<void> {
  const userDir = process.env.NODE_RED_USER_DIR;
  if (!userDir) throw new Error('NODE_RED_USER_DIR must name the user dir');
  const environment = await startEnvironment({
    userDir,
    editorPort: process.env.PORT ? Number(process.env.PORT) : 0,
    streamManagerPort: Number(process.env.STREAM_MANAGER_SERVER_PORT),
    log: () => undefined,
    quiet: true,
    settings: process.argv[2] === 'stock' ? { contextStorage: undefined } : {},
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    environment.stop().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`could not stop cleanly: ${error.message}\n`);
        process.exit(1);
      },
    );
  });
  process.stdout.write(`ready ${environment.editorUrl}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`Node-RED did not start: ${error.stack}\n`);
  process.exit(1);
});
