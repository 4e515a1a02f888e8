// Makes docs/images/sidebar-health.png, the README's picture of stream health in the sidebar: a real Node-RED and
// sm-server, a stream whose HTTP export goes to a closed port while readings keep arriving (so it turns failing and
// its export lag climbs), a stream near full, and the failing stream's view in Debian's Chromium. Takes about two
// minutes, since the runtime samples health every ten seconds. Run: npm run build && node dist/scripts/health-sidebar-picture.js
import * as path from 'node:path';
import { StreamManagerClient } from '../lib/client/client';
import { Persistence, StrategyOnFull } from '../lib/protocol/enums';
import { startEditorSession } from '../test/editor/editor-session';
import { freePort } from '../test/helpers/free-port';
import { showSidebar } from '../test/sidebar/sidebar-page';

const PICTURE = path.join(__dirname, '..', '..', 'docs', 'images', 'sidebar-health.png');
const FAILING = 'pump readings';
const FILLING = 'tank levels';
/** How long readings pile up behind the failing export before the picture: enough samples for a visible trend. */
const PILE_UP_MS = 100_000;

async function main(): Promise<void> {
  const session = await startEditorSession();
  const client = new StreamManagerClient({ port: session.environment.streamManagerPort });
  let appending: NodeJS.Timeout | undefined;
  try {
    await client.createMessageStream({
      name: FAILING,
      persistence: Persistence.File,
      strategyOnFull: StrategyOnFull.OverwriteOldestData,
      maxSize: 64 * 1024,
      streamSegmentSize: 4096,
      exportDefinition: { http: [{ identifier: 'to-cloud', uri: `http://127.0.0.1:${await freePort()}/ingest`, batchSize: 10 }] },
    });
    await client.createMessageStream({ name: FILLING, persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 64 * 1024, streamSegmentSize: 4096 });
    for (let index = 0; index < 56; index++) await client.appendMessage(FILLING, Buffer.alloc(1000, 'l'));
    let reading = 0;
    const append = (): Promise<unknown> => client.appendMessage(FAILING, Buffer.from(JSON.stringify({ pump: reading % 4, pressure: 3 + (reading++ % 10) / 10 })));
    appending = setInterval(() => void append().catch(() => undefined), 1000);

    const page = await session.openEditor('en-US', { width: 1400, height: 1400 });
    await showSidebar(page);
    await new Promise((resolve) => setTimeout(resolve, PILE_UP_MS));
    await page.locator(`.sm-sidebar-stream[data-stream="${FAILING}"] .sm-sidebar-health-badge.sm-sidebar-health-failing`).waitFor({ timeout: 60_000 });
    await page.locator(`.sm-sidebar-stream[data-stream="${FAILING}"]`).click();
    const view = page.locator(`.sm-sidebar-detail-view[data-stream="${FAILING}"]`);
    await view.locator('.sm-sidebar-card .sm-sidebar-health-badge.sm-sidebar-health-failing').waitFor({ timeout: 20_000 });
    await page.locator('#red-ui-sidebar').screenshot({ path: PICTURE });
    console.log(`wrote ${path.relative(process.cwd(), PICTURE)}`);
  } finally {
    if (appending) clearInterval(appending);
    await client.close();
    await session.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
