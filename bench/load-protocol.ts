import type { Delivery } from './events';

/** One bounded load phase: stops after `maxRequests` or `maxMs`, whichever comes first. */
export interface PhaseRequest {
  /** Base URL; deliveries go to `${url}/tiktok/webhook`. */
  url: string;
  deliveries: Delivery[];
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  /** Per request; a request that takes longer counts as an error. */
  timeoutMs: number;
  /**
   * Open loop: send at this steady rate whatever the answers (at most `concurrency` in flight;
   * the lag behind schedule is reported). Without it, closed loop: `concurrency` senders, each
   * sending its next delivery when the previous answer is in.
   */
  ratePerSec?: number;
}

export interface PhaseResult {
  /** Requests sent: always deliveries[0 … sent-1], each answered or failed. */
  sent: number;
  elapsedMs: number;
  /** One per request, in completion order. */
  latenciesMs: number[];
  /** Count by HTTP status, or by `error` for a transport failure / timeout. */
  statuses: Record<string, number>;
  /** 200 answers that said `"duplicate":true`. */
  duplicateAnswers: number;
  /** A few failure descriptions, for the report. */
  errorSamples: string[];
  /** Open loop: how far the last send started behind its schedule (ms); 0 in closed loop. */
  scheduleLagMs: number;
}

export type ToWorker = { type: 'run'; id: number; phase: PhaseRequest };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: PhaseResult }
  | { type: 'failed'; id: number; message: string };
