// The sidebar's health of a server's streams: every stream but the internal `_` ones checked as an sm admin watch
// checks them (lib/client/health, the default thresholds), each check assessed against the one before, and the
// samples of the last hour for the charts. Sampled when the sidebar asks (every few seconds while it is on screen),
// at most once per history interval: no timer runs for it, so nothing is left running when nobody looks.
import type { StreamManagerClient } from '../../lib/client/client';
import { HealthChecker, type HealthReport } from '../../lib/client/health';
import type { SmConfigNode } from '../../nodes/shared/config-contract';
import { jsonSafe } from '../../nodes/shared/json-safe';
import type { AdminAnswer, AdminCall } from './admin-call';
import { AdminRequestError } from './admin-error';
import { HealthHistory } from './health-history';

interface SidebarHealth {
  client: StreamManagerClient;
  checker: HealthChecker;
  history: HealthHistory;
}

/** Per deployed config node: a redeployed one starts afresh, and one that is gone is collected with its history. */
const sidebars = new WeakMap<SmConfigNode, SidebarHealth>();

function sidebarHealthOf(config: SmConfigNode, client: StreamManagerClient): SidebarHealth {
  const known = sidebars.get(config);
  if (known && known.client === client) return known;
  // A new client for the same node (the last one was closed): new checks, the same history.
  const fresh = { client, checker: new HealthChecker(client), history: known?.history ?? new HealthHistory() };
  sidebars.set(config, fresh);
  return fresh;
}

/** `?since=T`: only the samples taken after T (ms since the epoch), for a sidebar that has those before. */
function sinceOf(query: Record<string, unknown>): number {
  if (query.since === undefined || query.since === '') return Number.NEGATIVE_INFINITY;
  const since = Number(query.since);
  if (typeof query.since !== 'string' || !Number.isSafeInteger(since) || since < 0) {
    throw new AdminRequestError(`since must be a time in milliseconds since the epoch (a whole number, 0 or more), not ${JSON.stringify(query.since)}`, 'Validation', 400);
  }
  return since;
}

async function currentReport(sidebar: SidebarHealth): Promise<HealthReport> {
  const last = sidebar.checker.last;
  if (last && Date.now() - last.checkedAt < sidebar.history.intervalMs) return last;
  const { report } = await sidebar.checker.check();
  if (report !== last) sidebar.history.record(report.streams, true, report.checkedAt);
  return report;
}

/** Every stream's state with its reason and facts, the thresholds they were judged by, and the samples since `since`. */
export async function streamHealth({ request, config, client }: AdminCall): Promise<AdminAnswer> {
  const since = sinceOf(request.query as Record<string, unknown>);
  const sidebar = sidebarHealthOf(config, client);
  const report = await currentReport(sidebar);
  return {
    checkedAt: report.checkedAt,
    state: report.state,
    reason: report.reason,
    counts: report.counts,
    thresholds: sidebar.checker.thresholds,
    streams: jsonSafe(report.streams),
    history: sidebar.history.since(since),
  };
}
