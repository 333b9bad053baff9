import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InboundState } from './inbound-state';
import { OutboundState, UploadedMedia } from './outbound-state';
import { SandboxState } from './sandbox-state';

const FORMAT_VERSION = 1;

/** Coalesces a burst of changes into one write. */
const WRITE_DELAY_MS = 50;

/** The sandbox's state as JSON: maps as entry lists, uploaded bytes as base64. */
interface Snapshot {
  version: number;
  appId: string;
  savedAt: string;
  state: {
    accounts: [string, unknown][];
    users: [string, unknown][];
    conversations: [string, unknown][];
    authCodes: [string, unknown][];
    accessTokens: [string, unknown][];
    refreshTokens: [string, unknown][];
    consentQueue: unknown[];
    callbackUrl: string | null;
    clockOffsetMs: number;
    tokenLifetimes: unknown;
  };
  outbound: {
    media: [string, Omit<UploadedMedia, 'bytes'> & { bytes: string }][];
    posts: [string, unknown][];
    imageSendDisabled: string[];
    senderActions: [string, unknown][];
  };
  inbound: {
    media: [string, unknown][];
    downloads: [string, unknown][];
    reactions: [string, unknown][];
    readReceipts: [string, unknown][];
    referrals: [string, unknown][];
    eventWebhooks: [string, unknown][];
    assets: string[];
    conversationTimeField: string;
  };
}

/** A state file that cannot be used: the sandbox refuses to start rather than overwrite it. */
export class SandboxStateFileError extends Error {
  override readonly name = 'SandboxStateFileError';
}

/**
 * Keeps the sandbox's state in a JSON file, so a restarted demo finds the accounts, tokens,
 * grants and conversations TikTok would still know. Written (atomically, readable by this user
 * only: it holds tokens) shortly after every request that may change state, and on close.
 * Statistics, faults and pending webhook retries are not kept.
 */
export class SandboxPersistence {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastError: unknown;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly appId: string,
    private readonly state: SandboxState,
    private readonly outbound: OutboundState,
    private readonly inbound: InboundState,
    private readonly log: (line: string) => void,
  ) {}

  /** Restores the saved state, if there is a file. Throws SandboxStateFileError when unusable. */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(readFileSync(this.file, 'utf8')) as Snapshot;
    } catch (error) {
      throw new SandboxStateFileError(
        `the sandbox state file ${this.file} is not readable JSON (${(error as Error).message}); move it away to start empty`,
      );
    }
    if (snapshot?.version !== FORMAT_VERSION || !snapshot.state) {
      throw new SandboxStateFileError(
        `the sandbox state file ${this.file} is not a version ${FORMAT_VERSION} sandbox state; move it away to start empty`,
      );
    }
    if (snapshot.appId !== this.appId) {
      throw new SandboxStateFileError(
        `the sandbox state file ${this.file} belongs to the app ${snapshot.appId}, not ${this.appId}: its tokens would not match; move it away to start empty`,
      );
    }
    this.restore(snapshot);
    return true;
  }

  /** Called after a request that may have changed state. */
  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.queueWrite();
    }, WRITE_DELAY_MS);
  }

  /** The last write, on close: nothing is written after it (the folder may be gone by then). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Writes what is pending and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.queueWrite();
    await this.writing;
  }

  private queueWrite(): void {
    this.writing = this.writing.then(() =>
      this.write().catch((error: unknown) => {
        // A failed write is retried with the next change; say so once per kind of failure.
        if (String(error) !== String(this.lastError)) {
          this.log(`sandbox state could not be saved to ${this.file}: ${String(error)}`);
        }
        this.lastError = error;
      }),
    );
  }

  private async write(): Promise<void> {
    const json = JSON.stringify(this.snapshot());
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, json, { mode: 0o600 });
    await rename(temporary, this.file);
    this.lastError = undefined;
  }

  private snapshot(): Snapshot {
    const { state, outbound, inbound } = this;
    return {
      version: FORMAT_VERSION,
      appId: this.appId,
      savedAt: new Date().toISOString(),
      state: {
        accounts: [...state.accounts],
        users: [...state.users],
        conversations: [...state.conversations],
        authCodes: [...state.authCodes],
        accessTokens: [...state.accessTokens],
        refreshTokens: [...state.refreshTokens],
        consentQueue: state.consentQueue,
        callbackUrl: state.callbackUrl ?? null,
        clockOffsetMs: state.clockOffsetMs,
        tokenLifetimes: state.tokenLifetimes ?? null,
      },
      outbound: {
        media: [...outbound.media].map(([id, media]) => [
          id,
          { ...media, bytes: media.bytes.toString('base64') },
        ]),
        posts: [...outbound.posts],
        imageSendDisabled: [...outbound.imageSendDisabled],
        senderActions: [...outbound.senderActions],
      },
      inbound: {
        media: [...inbound.media],
        downloads: [...inbound.downloads],
        reactions: [...inbound.reactions],
        readReceipts: [...inbound.readReceipts],
        referrals: [...inbound.referrals],
        eventWebhooks: [...inbound.eventWebhooks],
        assets: [...inbound.assets],
        conversationTimeField: inbound.conversationTimeField,
      },
    };
  }

  private restore(snapshot: Snapshot): void {
    const { state, outbound, inbound } = this;
    const saved = snapshot.state;
    // The JSON is what snapshot() wrote: the casts restore the types JSON cannot carry.
    state.accounts = new Map(saved.accounts) as SandboxState['accounts'];
    state.users = new Map(saved.users) as SandboxState['users'];
    state.conversations = new Map(saved.conversations) as SandboxState['conversations'];
    state.messages = new Map(
      [...state.conversations.values()].flatMap((conversation) =>
        conversation.messages.map((message) => [message.messageId, message] as const),
      ),
    );
    state.authCodes = new Map(saved.authCodes) as SandboxState['authCodes'];
    state.accessTokens = new Map(saved.accessTokens) as SandboxState['accessTokens'];
    state.refreshTokens = new Map(saved.refreshTokens) as SandboxState['refreshTokens'];
    state.consentQueue = saved.consentQueue as SandboxState['consentQueue'];
    state.callbackUrl = saved.callbackUrl ?? undefined;
    state.clockOffsetMs = saved.clockOffsetMs ?? 0;
    state.tokenLifetimes = (saved.tokenLifetimes ?? undefined) as SandboxState['tokenLifetimes'];

    const out = snapshot.outbound;
    outbound.media = new Map(
      out.media.map(([id, media]) => [id, { ...media, bytes: Buffer.from(media.bytes, 'base64') }]),
    );
    outbound.posts = new Map(out.posts) as OutboundState['posts'];
    outbound.imageSendDisabled = new Set(out.imageSendDisabled);
    outbound.senderActions = new Map(out.senderActions) as OutboundState['senderActions'];

    const saw = snapshot.inbound;
    inbound.media = new Map(saw.media) as InboundState['media'];
    inbound.downloads = new Map(saw.downloads) as InboundState['downloads'];
    inbound.reactions = new Map(saw.reactions) as InboundState['reactions'];
    inbound.readReceipts = new Map(saw.readReceipts) as InboundState['readReceipts'];
    inbound.referrals = new Map(saw.referrals) as InboundState['referrals'];
    inbound.eventWebhooks = new Map(saw.eventWebhooks) as InboundState['eventWebhooks'];
    inbound.assets = new Set(saw.assets);
    inbound.conversationTimeField =
      saw.conversationTimeField as InboundState['conversationTimeField'];
  }
}
