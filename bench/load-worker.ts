import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FromWorker, PhaseRequest, PhaseResult, ToWorker } from './load-protocol';

/**
 * The load generator, run as a child process (see load.ts) so the client's own CPU work does not
 * share an event loop with the server being measured. Closed loop: `concurrency` workers, each
 * sending its next delivery as soon as the previous answer is in, over keep-alive connections.
 */

interface Answer {
  status: number;
  body: string;
}

function post(
  agent: Agent,
  target: URL,
  body: Buffer,
  signature: string,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: '/tiktok/webhook',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'tiktok-signature': signature,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function runPhase(phase: PhaseRequest): Promise<PhaseResult> {
  const target = new URL(phase.url);
  const agent = new Agent({ keepAlive: true, maxSockets: phase.concurrency });
  const bodies = phase.deliveries.map((delivery) => Buffer.from(delivery.body, 'utf8'));
  const limit = Math.min(phase.maxRequests, phase.deliveries.length);
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let duplicateAnswers = 0;
  let next = 0;

  const started = performance.now();
  const deadline = started + phase.maxMs;
  let scheduleLagMs = 0;
  const rate = phase.ratePerSec;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (next >= limit || performance.now() >= deadline) return;
      const index = next++;
      if (rate) {
        // Open loop: request `index` is due at its slot, whatever happened to the earlier ones.
        const due = started + (index * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= deadline) return; // its slot is past the phase: not sent
        scheduleLagMs = Math.max(0, performance.now() - due);
      }
      const t0 = performance.now();
      let key: string;
      try {
        const answer = await post(
          agent,
          target,
          bodies[index],
          phase.deliveries[index].signature,
          phase.timeoutMs,
        );
        key = String(answer.status);
        if (answer.status === 200 && answer.body.includes('"duplicate":true')) duplicateAnswers++;
        if (answer.status !== 200 && errorSamples.length < 5)
          errorSamples.push(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      } catch (error) {
        key = 'error';
        if (errorSamples.length < 5) errorSamples.push((error as Error).message);
      }
      latenciesMs.push(performance.now() - t0);
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: phase.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sent = latenciesMs.length;
  return { sent, elapsedMs, latenciesMs, statuses, duplicateAnswers, errorSamples, scheduleLagMs };
}

function send(message: FromWorker): void {
  process.send?.(message);
}

process.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return;
  runPhase(message.phase).then(
    (result) => send({ type: 'done', id: message.id, result }),
    (error: unknown) => send({ type: 'failed', id: message.id, message: String(error) }),
  );
});
// The bench owns this process: when it goes away, so does the load.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
