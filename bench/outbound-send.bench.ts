import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import {
  TiktokMessenger,
  TiktokWebhookRegistrar,
  type SendOutcome,
} from '../libs/tiktok-channel/src';
import { InboundProcessor } from '../libs/tiktok-channel/src/testing';
import { generateDemoSecrets } from '../apps/helpdesk/src/demo/demo-secrets';
import { sandboxTiktokConfig } from '../apps/helpdesk/src/demo/sandbox-tiktok-config';
import { freePort } from '../apps/helpdesk/src/database/free-port';
import type { RunningSandbox } from '../apps/tiktok-sandbox/src';
import { batcherStats, type BatcherStats } from '../libs/tiktok-channel/src/persistence/batcher';
import { ownCpuMs, processCpuMs, serverCpuMs } from './cpu';
import { CountingPort, startOutboundApp } from './outbound-app';
import { fixed } from './stats';
import { StatementCounter } from './outbound-profile';

/**
 * 100 businesses × 50 messages handed to the messenger at once (five customers per business,
 * ten messages each: TikTok allows ten before the customer replies), against the sandbox in its
 * own process, which answers 40100 past 10 requests per second per business.
 *
 * The ideal at 10 requests per second is 50 / 10 = 5 s: every business's messages, evenly spaced,
 * all businesses at once. A baseline in the same run sends the same number of texts straight to
 * the sandbox with an in-memory spacing of 100 ms per business (no database, no durability): the
 * floor this machine reaches for that traffic.
 */

export interface OutboundConfig {
  businesses: number;
  messagesPerBusiness: number;
  conversationsPerBusiness: number;
  /** Connections in the library's PostgreSQL pool (TypeORM's default is 10). */
  poolSize: number;
  /** Give up waiting for final statuses after this long. */
  timeoutMs: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** The settings, from `BENCH_*` variables (see bench/README.md). */
export function outboundConfigFromEnv(): OutboundConfig {
  return {
    businesses: intFromEnv('BENCH_BUSINESSES', 100),
    messagesPerBusiness: intFromEnv('BENCH_MESSAGES_PER_BUSINESS', 50),
    conversationsPerBusiness: intFromEnv('BENCH_CONVERSATIONS_PER_BUSINESS', 5),
    poolSize: intFromEnv('BENCH_POOL', 10),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_SECONDS', 300) * 1000,
  };
}

export interface OutboundTarget {
  label: string;
  messages: number;
  wallMs: number;
  /** Until every send() call had answered (recorded and handed to the worker). */
  handedOverMs?: number;
  final: number;
  rateLimited: number;
  /** How many times each message reached the person: counts of counts (`{ 1: 5000 }` is right). */
  deliveries: Record<string, number>;
  latencyMs?: { p50: number; p95: number; p99: number; max: number };
  /** Statements the library sent to PostgreSQL during the measured window, the commonest first. */
  statements?: {
    total: number;
    top: Array<{ statement: string; count: number; sendMs: number }>;
  };
  /** CPU spent during the measured window, in ms (NaN where it cannot be read). */
  cpuMs?: { libraryProcess: number; sandbox: number; database: number };
  /** The library's batched statements during the measured window, by name. */
  batches?: Record<string, BatcherStats>;
}

export interface OutboundReport {
  config: OutboundConfig;
  idealMs: number;
  baseline: OutboundTarget;
  library: OutboundTarget;
  failures: string[];
}

interface SandboxProcess {
  sandbox: RunningSandbox;
  pid: number | undefined;
  close(): Promise<void>;
}

interface Chat {
  businessId: string;
  accessToken?: string;
  tiktokConversationId: string;
  hostConversationId?: string;
}

async function startSandboxProcess(appId: string, appSecret: string): Promise<SandboxProcess> {
  // A directory to write the sandbox's `--cpu-prof` profile into (see bench/README.md).
  const profileDir = process.env.BENCH_SANDBOX_CPU_PROF;
  const child: ChildProcess = fork(join(__dirname, 'outbound-sandbox-process.js'), [], {
    env: { ...process.env, BENCH_APP_ID: appId, BENCH_APP_SECRET: appSecret },
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; apiBaseUrl: string; authorizeUrl: string }>(
    (resolve, reject) => {
      child.once('message', (message) =>
        resolve(message as { url: string; apiBaseUrl: string; authorizeUrl: string }),
      );
      child.once('exit', (code) => reject(new Error(`bench sandbox exited early (${code})`)));
    },
  );
  return {
    sandbox: { ...ready, close: async () => undefined },
    pid: child.pid,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

function control<T>(sandbox: RunningSandbox, path: string, body?: unknown): Promise<T> {
  return fetch(`${sandbox.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((response) => json<T>(response, path));
}

interface SandboxStats {
  rateLimited: number;
  webhookDeliveries: { attempts: number; failed: number; byStatus: Record<string, number> };
  sendsByType: Record<string, number>;
}

/** Opens `perBusiness` conversations for a business: customers who write first. */
async function customersWrite(
  sandbox: RunningSandbox,
  businessId: string,
  perBusiness: number,
  tag: string,
): Promise<string[]> {
  const conversations: string[] = [];
  for (let c = 0; c < perBusiness; c++) {
    const { userId } = await control<{ userId: string }>(sandbox, '/sandbox/users', {
      username: `${tag}.fan${c}`,
    });
    const { conversationId } = await control<{ conversationId: string }>(
      sandbox,
      '/sandbox/messages',
      { fromUserId: userId, toBusinessId: businessId, type: 'text', text: 'Hello!' },
    );
    conversations.push(conversationId);
  }
  return conversations;
}

/** How often each text reached its person, summarised as `{ timesSeen: messages }`. */
async function deliveries(
  sandbox: RunningSandbox,
  chats: Chat[],
  texts: string[],
): Promise<Record<string, number>> {
  const seen = new Map<string, number>();
  for (const chat of chats) {
    const items = await control<Array<{ from: string; text: string }>>(
      sandbox,
      `/sandbox/conversations/${encodeURIComponent(chat.tiktokConversationId)}/messages`,
    );
    for (const item of items.filter((i) => i.from === 'business')) {
      seen.set(item.text, (seen.get(item.text) ?? 0) + 1);
    }
  }
  const summary: Record<string, number> = {};
  for (const text of texts) {
    const times = String(seen.get(text) ?? 0);
    summary[times] = (summary[times] ?? 0) + 1;
  }
  return summary;
}

function textOf(label: string, chat: Chat, n: number): string {
  return `${label} ${chat.tiktokConversationId} #${n}`;
}

/** Straight to the sandbox: 100 ms between a business's requests, kept in memory. */
async function runBaseline(
  sandbox: RunningSandbox,
  config: OutboundConfig,
): Promise<OutboundTarget> {
  const usernames = Array.from({ length: config.businesses }, (_, b) => `base${b}`);
  const { grants } = await control<{ grants: Array<{ businessId: string; accessToken: string }> }>(
    sandbox,
    '/sandbox/grants',
    { usernames },
  );
  const chats: Chat[] = [];
  for (const [b, grant] of grants.entries()) {
    for (const conversation of await customersWrite(
      sandbox,
      grant.businessId,
      config.conversationsPerBusiness,
      `base${b}`,
    )) {
      chats.push({
        businessId: grant.businessId,
        accessToken: grant.accessToken,
        tiktokConversationId: conversation,
      });
    }
  }
  const before = await control<SandboxStats>(sandbox, '/sandbox/stats');
  const texts: string[] = [];
  const started = performance.now();
  await Promise.all(
    grants.map(async (grant) => {
      const mine = chats.filter((chat) => chat.businessId === grant.businessId);
      const sends: Array<Promise<void>> = [];
      for (let n = 0; n < config.messagesPerBusiness; n++) {
        const chat = mine[n % mine.length];
        const text = textOf('baseline', chat, Math.floor(n / mine.length));
        texts.push(text);
        sends.push(
          new Promise<void>((resolve) => setTimeout(resolve, n * 100)).then(async () => {
            const response = await fetch(`${sandbox.apiBaseUrl}business/message/send/`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'access-token': grant.accessToken },
              body: JSON.stringify({
                business_id: grant.businessId,
                recipient_type: 'CONVERSATION',
                recipient: chat.tiktokConversationId,
                message_type: 'TEXT',
                text: { body: text },
              }),
            });
            await response.arrayBuffer();
          }),
        );
      }
      await Promise.all(sends);
    }),
  );
  const wallMs = performance.now() - started;
  const after = await control<SandboxStats>(sandbox, '/sandbox/stats');
  return {
    label: 'baseline (in-memory spacing, no DB)',
    messages: texts.length,
    wallMs,
    final: texts.length,
    rateLimited: after.rateLimited - before.rateLimited,
    deliveries: await deliveries(sandbox, chats, texts),
  };
}

/** This bench's businesses, named apart from what other suites left in a shared database. */
function shopName(b: number): string {
  return `outshop${b}`;
}

async function connectBusinesses(
  url: string,
  sandbox: RunningSandbox,
  count: number,
): Promise<void> {
  // One at a time: the sandbox answers consents in the order they were queued.
  for (let b = 0; b < count; b++) {
    await control(sandbox, '/sandbox/consent', {
      username: shopName(b),
      accountType: 'business',
      decision: 'approve',
    });
    let current = `${url}/tiktok/oauth/authorize`;
    // The callback must come from the browser that started the connection: keep its cookie.
    const cookies: string[] = [];
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(current, {
        redirect: 'manual',
        headers: cookies.length > 0 ? { cookie: cookies.join('; ') } : {},
      });
      await response.arrayBuffer();
      cookies.push(...response.headers.getSetCookie().map((line) => line.split(';')[0]));
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      current = new URL(location, current).toString();
    }
    if (new URL(current).searchParams.get('tiktok_status') !== 'connected') {
      throw new Error(`connecting ${shopName(b)} ended at ${current}`);
    }
  }
}

function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
}

/** Where the CPU of the parts can be read: the sandbox's process and PostgreSQL's postmaster. */
interface CpuParts {
  sandboxPid: number | undefined;
  serverPid: number | undefined;
}

function cpuNow(parts: CpuParts): { libraryProcess: number; sandbox: number; database: number } {
  return {
    libraryProcess: ownCpuMs(),
    sandbox: parts.sandboxPid === undefined ? NaN : processCpuMs(parts.sandboxPid),
    database: serverCpuMs(parts.serverPid),
  };
}

async function runLibrary(
  databaseUrl: string,
  sandbox: RunningSandbox,
  cpuParts: CpuParts,
  secrets: ReturnType<typeof generateDemoSecrets>,
  config: OutboundConfig,
  log: (line: string) => void,
): Promise<OutboundTarget> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app: INestApplication = await startOutboundApp(
    databaseUrl,
    {
      ...sandboxTiktokConfig(sandbox, secrets, url),
      resolveConnectContext: () => ({ tenant: 'bench', returnUrl: '/' }),
      enableBackgroundJobs: false,
      sendWaitMs: 0,
      // The echo webhooks are taken the way the demo takes them (see the README's options).
      webhookFastPath: true,
    },
    port,
    config.poolSize,
  );
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await app.get(TiktokWebhookRegistrar).register(`${url}/tiktok/webhook`);
    log(`connecting ${config.businesses} businesses through the OAuth flow`);
    await connectBusinesses(url, sandbox, config.businesses);
    const usernames = Array.from({ length: config.businesses }, (_, b) => shopName(b));
    const { rows: accounts } = await db.query<{ business_id: string; username: string }>(
      `SELECT business_id, username FROM tiktok_accounts WHERE username = ANY($1) ORDER BY username`,
      [usernames],
    );
    log(`${config.businesses * config.conversationsPerBusiness} customers write first`);
    for (const account of accounts) {
      await customersWrite(
        sandbox,
        account.business_id,
        config.conversationsPerBusiness,
        account.username,
      );
    }
    const expected = config.businesses * config.conversationsPerBusiness;
    const processor = app.get(InboundProcessor);
    for (let round = 0; round < 600; round++) {
      await processor.settle();
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tiktok_conversations c JOIN tiktok_accounts a ON a.id = c.account_id
          WHERE c.last_inbound_at IS NOT NULL AND a.username = ANY($1)`,
        [usernames],
      );
      if (rows[0].n >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows: conversations } = await db.query<{
      business_id: string;
      tiktok_conversation_id: string;
      host_conversation_id: string;
    }>(
      `SELECT a.business_id, c.tiktok_conversation_id, c.host_conversation_id
         FROM tiktok_conversations c JOIN tiktok_accounts a ON a.id = c.account_id
        WHERE a.username = ANY($1)
        ORDER BY a.business_id, c.tiktok_conversation_id`,
      [usernames],
    );
    if (conversations.length < expected) {
      throw new Error(
        `only ${conversations.length} of ${expected} conversations reached the library`,
      );
    }
    const chats: Chat[] = conversations.map((row) => ({
      businessId: row.business_id,
      tiktokConversationId: row.tiktok_conversation_id,
      hostConversationId: row.host_conversation_id,
    }));
    const sends = accounts.flatMap((account) => {
      const mine = chats.filter((chat) => chat.businessId === account.business_id);
      return Array.from({ length: config.messagesPerBusiness }, (_, n) => {
        const chat = mine[n % mine.length];
        return {
          chat,
          messageId: `bench-${chat.tiktokConversationId}-${n}`,
          text: textOf('library', chat, Math.floor(n / mine.length)),
        };
      });
    });

    const messenger = app.get(TiktokMessenger);
    const counting = CountingPort.current as CountingPort;
    const before = await control<SandboxStats>(sandbox, '/sandbox/stats');
    log(`handing ${sends.length} messages to the messenger at once`);
    const counter = new StatementCounter();
    counter.install();
    const cpuBefore = cpuNow(cpuParts);
    counter.start();
    batcherStats.clear();
    const started = performance.now();
    // Once a second: how many were reported sent, and how busy this process's event loop was.
    const timeline: string[] = [];
    let lastElu = performance.eventLoopUtilization();
    const ticker = setInterval(() => {
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      timeline.push(
        `${fixed((performance.now() - started) / 1000, 0)}s: ${counting.finalStatus.size} sent, event loop ${fixed(elu.utilization * 100, 0)}% busy`,
      );
    }, 1000);
    const outcomes: SendOutcome[] = await Promise.all(
      sends.map((send) =>
        messenger.send({
          conversationId: send.chat.hostConversationId as string,
          messageId: send.messageId,
          text: send.text,
        }),
      ),
    );
    const handedOverMs = performance.now() - started;
    const refused = outcomes.filter((outcome) => outcome.status === 'failed').length;
    if (refused > 0) log(`${refused} sends were refused at once`);
    while (counting.finalStatus.size < sends.length - refused) {
      if (performance.now() - started > config.timeoutMs) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wallMs = performance.now() - started;
    clearInterval(ticker);
    log(`timeline: ${timeline.join('; ')}`);
    // For matching a --cpu-prof profile (its timestamps are this clock's, in µs).
    log(
      `window (monotonic µs): ${process.hrtime.bigint() / 1000n - BigInt(Math.round(wallMs * 1000))}..${process.hrtime.bigint() / 1000n}`,
    );
    counter.stop();
    const cpuAfter = cpuNow(cpuParts);
    counter.uninstall();
    const after = await control<SandboxStats>(sandbox, '/sandbox/stats');
    const hooks = (stats: SandboxStats) => stats.webhookDeliveries;
    const failedStatuses = Object.entries(hooks(after).byStatus)
      .map(([status, n]) => [status, n - (hooks(before).byStatus[status] ?? 0)] as const)
      .filter(([status, n]) => n > 0 && !/^2/.test(status));
    // Echo webhooks that failed (timed out, refused) are retried: work the CPU figures include.
    log(
      `echo webhook attempts while sending: ${hooks(after).attempts - hooks(before).attempts}, ` +
        `failed ${hooks(after).failed - hooks(before).failed} ${JSON.stringify(Object.fromEntries(failedStatuses))}`,
    );
    const { rows: latencies } = await db.query<{ ms: number }>(
      `SELECT (EXTRACT(EPOCH FROM (sent_at - created_at)) * 1000)::float8 AS ms
         FROM tiktok_outbound_messages WHERE status = 'sent'`,
    );
    return {
      label: 'library (durable, PostgreSQL limiter)',
      messages: sends.length,
      wallMs,
      handedOverMs,
      final: [...counting.finalStatus.values()].filter((status) => status === 'sent').length,
      rateLimited: after.rateLimited - before.rateLimited,
      deliveries: await deliveries(
        sandbox,
        chats,
        sends.map((send) => send.text),
      ),
      latencyMs: percentiles(latencies.map((row) => row.ms)),
      statements: { total: counter.total(), top: counter.top(12) },
      batches: Object.fromEntries(batcherStats),
      cpuMs: {
        libraryProcess: cpuAfter.libraryProcess - cpuBefore.libraryProcess,
        sandbox: cpuAfter.sandbox - cpuBefore.sandbox,
        database: cpuAfter.database - cpuBefore.database,
      },
    };
  } finally {
    await db.end();
    await app.close();
  }
}

export async function runOutboundBench(
  databaseUrl: string,
  config: OutboundConfig,
  log: (line: string) => void,
  serverPid?: number,
): Promise<OutboundReport> {
  const secrets = generateDemoSecrets();
  const sandboxProcess = await startSandboxProcess(secrets.appId, secrets.appSecret);
  const { sandbox } = sandboxProcess;
  try {
    log('baseline: the same traffic straight to the sandbox');
    const baseline = await runBaseline(sandbox, config);
    log(`library: ${config.businesses} businesses × ${config.messagesPerBusiness} messages`);
    const library = await runLibrary(
      databaseUrl,
      sandbox,
      { sandboxPid: sandboxProcess.pid, serverPid },
      secrets,
      config,
      log,
    );
    const failures: string[] = [];
    for (const target of [baseline, library]) {
      if (target.rateLimited > 0)
        failures.push(`${target.label}: ${target.rateLimited} answers were 40100`);
      const wrong = Object.entries(target.deliveries).filter(([times]) => times !== '1');
      if (wrong.length > 0) {
        failures.push(
          `${target.label}: messages not delivered exactly once: ${JSON.stringify(target.deliveries)}`,
        );
      }
    }
    if (library.final !== library.messages) {
      failures.push(`library: ${library.final} of ${library.messages} messages reported sent`);
    }
    return {
      config,
      idealMs: (config.messagesPerBusiness / 10) * 1000,
      baseline,
      library,
      failures,
    };
  } finally {
    await sandboxProcess.close();
  }
}
