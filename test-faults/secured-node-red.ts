// Node-RED as npm start runs it, plus adminAuth, in a process of its own for the security tests (an embedded
// Node-RED keeps a week-long timer for its login sessions, which would hold a test process open). Logs everything
// at trace level to stdout, prints `editor <url>` once it is up, and stops on SIGTERM.
import { startEnvironment } from '../scripts/start';

interface EditorUser {
  username: string;
  password: string;
  permissions: string | string[];
}

const NODE_RED = process.env.NODE_RED_PATH ? require.resolve(process.env.NODE_RED_PATH) : require.resolve('node-red');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcrypt = require(require.resolve('bcryptjs', { paths: [NODE_RED] })) as { hashSync(text: string, rounds: number): string };

async function main(): Promise<void> {
  const [userDir, streamManagerPort, usersJson] = process.argv.slice(2);
  const users = (JSON.parse(usersJson) as EditorUser[]).map((user) => ({ ...user, password: bcrypt.hashSync(user.password, 4) }));
  const environment = await startEnvironment({
    userDir,
    editorPort: 0,
    streamManagerPort: Number(streamManagerPort),
    settings: {
      credentialSecret: 'a-secret-for-the-credentials-file',
      adminAuth: { type: 'credentials', users },
      logging: { console: { level: 'trace', metrics: false, audit: true } },
    },
  });
  process.stdout.write(`editor ${environment.editorUrl}\n`);
  process.once('SIGTERM', () => {
    environment.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
