/**
 * The organizer console's live check-in dashboards, as the console opens them, for the console
 * bench: each reads the performance's snapshot (`GET /v1/performances/{id}/checkin`), then holds
 * its live feed (`…/checkin/feed`, server-sent events, resumed after the snapshot's `lastSeq`) and
 * reads the snapshot again every `refreshMs`, as the dashboard does for its terminals' times.
 *
 * It runs in a process of its own (as the dashboards run in browsers elsewhere) so that reading
 * twenty streams does not hold up the terminals' request loop in the bench's process. For each `admission` event it keeps how long after the
 * server recorded the admission (`recordedAt`, the server's clock on this same machine) the
 * dashboard had it: the update latency a person at the dashboard sees, less the drawing.
 *
 * Messages in: `{ type: 'open', count }` opens `count` dashboards and answers `opened` once every
 * feed has said it is live; `{ type: 'close', admitted }` waits (up to 10 s) for the last of the
 * round's `admitted` admissions to reach every dashboard, closes them and answers `closed` with
 * the latencies (ms) and events seen.
 */
import { type ClientRequest, request } from 'node:http';

interface Setup {
  port: number;
  /** One staff session per dashboard. */
  tokens: string[];
  performanceId: string;
  refreshMs: number;
}

const setup = JSON.parse(process.env.BENCH_DASHBOARDS as string) as Setup;
const recordedAt = /"recordedAt":"([^"]+)"/;

let open: { feed: ClientRequest; refresh: NodeJS.Timeout }[] = [];
let latencies: number[] = [];
let events = 0;
let failures = 0;

function getJson(path: string, headers: Record<string, string>): Promise<{ lastSeq?: number }> {
  return new Promise((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port: setup.port, path, headers, method: 'GET' },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode}`));
          else resolve(JSON.parse(body));
        });
      },
    );
    call.on('error', reject);
    call.end();
  });
}

/** One dashboard: the snapshot, then the feed after it; resolves once the feed is live. */
async function openDashboard(token: string): Promise<(typeof open)[number]> {
  const headers = { authorization: `Bearer ${token}` };
  const base = `/v1/performances/${setup.performanceId}/checkin`;
  // As the console asks (apps/console/src/checkin/api.ts: snapshotShareMs).
  const snapshotPath = `${base}?maxAgeMs=3000`;
  const snapshot = await getJson(snapshotPath, headers);
  return new Promise((resolve, reject) => {
    let live = false;
    let pending = '';
    const feed = request(
      {
        host: '127.0.0.1',
        port: setup.port,
        path: `${base}/feed`,
        method: 'GET',
        headers: {
          ...headers,
          accept: 'text/event-stream',
          'last-event-id': String(snapshot.lastSeq ?? 0),
        },
      },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`feed: ${response.statusCode}`));
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const received = Date.now();
          pending += chunk;
          const end = pending.lastIndexOf('\n\n');
          if (end < 0) return;
          const complete = pending.slice(0, end);
          pending = pending.slice(end + 2);
          for (const block of complete.split('\n\n')) {
            if (!live && block.includes(': live')) {
              live = true;
              resolve({ feed, refresh });
            }
            if (!block.includes('event: admission')) continue;
            events += 1;
            const at = recordedAt.exec(block)?.[1];
            if (at) latencies.push(received - Date.parse(at));
          }
        });
      },
    );
    feed.on('error', (error) => {
      if (!live) reject(error);
    });
    feed.end();
    const refresh = setInterval(() => {
      getJson(snapshotPath, headers).catch(() => {
        failures += 1;
      });
    }, setup.refreshMs);
  });
}

/** Waits (at most 10 s) until the dashboards have seen `wanted` admission events in all. */
async function caughtUp(wanted: number) {
  const deadline = Date.now() + 10_000;
  while (events < wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Message = { type: 'open'; count: number } | { type: 'close'; admitted: number };

process.on('message', async (message: Message) => {
  if (message.type === 'open') {
    latencies = [];
    events = 0;
    failures = 0;
    open = await Promise.all(setup.tokens.slice(0, message.count).map(openDashboard));
    process.send?.({ type: 'opened' });
  } else {
    await caughtUp(message.admitted * open.length);
    for (const dashboard of open) {
      clearInterval(dashboard.refresh);
      dashboard.feed.destroy();
    }
    open = [];
    process.send?.({ type: 'closed', latencies, events, failures });
  }
});
