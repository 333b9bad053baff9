import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { TiktokMessenger, type TiktokAttachment } from 'tiktok-channel';
import { queryRows } from '../database/sql';
import { ConversationsService } from './conversations.service';
import type { MessageView } from './message.view';
import { MessagesService } from './messages.service';

/** A file an agent attached, as the API received it. */
export interface OutgoingFile {
  contentType: string;
  fileName: string;
  bytes: Buffer;
}

/** Who a reply is from: an agent (named on the page), or one of the helpdesk's automations. */
export type OutgoingAuthor =
  { kind: 'agent'; userId: string; name: string } | { kind: 'auto_reply' } | { kind: 'csat' };

export interface OutgoingMessage {
  content: string;
  files?: OutgoingFile[];
  author?: OutgoingAuthor;
}

function kindOf(contentType: string): string {
  const type = contentType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  return 'file';
}

/**
 * Sends a message written by an agent or an automation rule. The host's message row exists first
 * (as `pending`, with the files attached), so whatever TikTok says the agent sees what they wrote
 * and what became of it; the messenger reports the outcome through the port, which updates that
 * row, part by part.
 */
@Injectable()
export class OutgoingMessagesService {
  private readonly logger = new Logger(OutgoingMessagesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly messenger: TiktokMessenger,
  ) {}

  async send(conversationId: string, message: string | OutgoingMessage): Promise<MessageView> {
    const {
      content,
      files = [],
      author,
    } = typeof message === 'string' ? { content: message } : message;
    await this.conversations.get(conversationId);
    const messageId = await this.insertPending(conversationId, content, files, author);
    const attachments: TiktokAttachment[] = files.map((file) => ({
      contentType: file.contentType,
      fileName: file.fileName,
      bytes: file.bytes,
    }));
    await this.guard(messageId, () =>
      this.messenger.send(
        attachments.length > 0
          ? { conversationId, messageId, text: content, attachments }
          : { conversationId, messageId, text: content },
      ),
    );
    return this.messages.get(messageId);
  }

  /** Sends the failed parts of an agent's reply again, in order. */
  async retry(conversationId: string, messageId: string): Promise<MessageView> {
    await this.conversations.get(conversationId);
    const [row] = isUUID(messageId)
      ? await queryRows<{ id: string }>(
          this.dataSource,
          `UPDATE messages SET status = 'pending', failure_reason = NULL, failure_detail = NULL
            WHERE id = $1 AND conversation_id = $2 AND direction = 'outgoing' AND status = 'failed'
            RETURNING id`,
          [messageId, conversationId],
        )
      : [];
    if (!row) {
      throw new NotFoundException(`No failed reply ${messageId} in conversation ${conversationId}`);
    }
    await this.guard(messageId, () => this.messenger.retry({ messageId }));
    return this.messages.get(messageId);
  }

  /** The messenger only throws for programming errors; a row left pending would look as if it were still on its way. */
  private async guard(messageId: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      this.logger.error(
        `Sending message ${messageId} threw: ${(error as Error).message}`,
        (error as Error).stack,
      );
      await queryRows(
        this.dataSource,
        `UPDATE messages SET status = 'failed', failure_reason = 'unknown' WHERE id = $1 AND status = 'pending'`,
        [messageId],
      );
      throw error;
    }
  }

  private async insertPending(
    conversationId: string,
    content: string,
    files: OutgoingFile[],
    author: OutgoingAuthor | undefined,
  ): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = await queryRows<{ id: string }>(
        tx,
        `INSERT INTO messages (conversation_id, direction, content, status, author_kind, author_user_id, author_name)
         VALUES ($1, 'outgoing', $2, 'pending', $3, $4, $5) RETURNING id`,
        [
          conversationId,
          content,
          author?.kind ?? null,
          author?.kind === 'agent' ? author.userId : null,
          author?.kind === 'agent' ? author.name : null,
        ],
      );
      const stored = [];
      for (const [position, file] of files.entries()) {
        const [attachment] = await queryRows<{ id: string }>(
          tx,
          `INSERT INTO outgoing_attachments (message_id, position, content_type, file_name, bytes)
           VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [row.id, position, file.contentType, file.fileName, file.bytes],
        );
        stored.push({
          kind: kindOf(file.contentType),
          url: `/api/attachments/${attachment.id}`,
          mimeType: file.contentType,
          fileName: file.fileName,
        });
      }
      if (stored.length > 0) {
        await queryRows(tx, `UPDATE messages SET attachments = $2::jsonb WHERE id = $1`, [
          row.id,
          JSON.stringify(stored),
        ]);
      }
      await queryRows(
        tx,
        `UPDATE conversations SET last_message_at = GREATEST(last_message_at, now()) WHERE id = $1`,
        [conversationId],
      );
      return row.id;
    });
  }
}
