import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { InboundAttachmentUpload } from 'tiktok-channel';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import { AttachmentTooLargeError } from './attachment-too-large.error';
import { INBOUND_ATTACHMENTS_DIRECTORY, inboundAttachmentUrl } from './attachments.constants';
import { ByteCapTransform } from './byte-cap.transform';

interface StoredRow {
  id: string;
  content_type: string;
  file_name: string;
  size: number;
}

/** An attachment's file, ready to serve. */
export interface StoredAttachmentFile {
  path: string;
  contentType: string;
  fileName: string;
  size: number;
}

/**
 * Keeps inbound attachments' bytes on disk, one file per attachment named by a random id, and a
 * row per (TikTok message id, position) saying what the file is.
 *
 * The bytes are streamed to a `.part` file through a byte cap and renamed when complete; the row
 * is written after the rename, so a row always points to a whole file. A retried event finds the
 * row and gets the first file back; two concurrent calls both write, the unique key picks one and
 * the other removes its file.
 */
@Injectable()
export class InboundAttachmentStore {
  constructor(
    @Inject(INBOUND_ATTACHMENTS_DIRECTORY) private readonly directory: string,
    private readonly dataSource: DataSource,
  ) {}

  async store(upload: InboundAttachmentUpload): Promise<{ url: string; size: number }> {
    const existing = await this.findByKey(upload.tiktokMessageId, upload.index);
    if (existing) {
      discard(upload.body);
      return { url: inboundAttachmentUrl(existing.id), size: existing.size };
    }
    if (upload.declaredSize !== undefined && upload.declaredSize > upload.maxBytes) {
      discard(upload.body);
      throw new AttachmentTooLargeError(upload.maxBytes, upload.declaredSize);
    }

    await mkdir(this.directory, { recursive: true });
    const id = randomUUID();
    const partPath = join(this.directory, `${id}.part`);
    const finalPath = this.pathOf(id);
    const cap = new ByteCapTransform(upload.maxBytes);
    const file = createWriteStream(partPath, { flags: 'wx' });
    try {
      await pipeline(upload.body, cap, file);
      await rename(partPath, finalPath);
    } catch (error) {
      // The file may still be opening when the cap fails the pipeline: removing it before it is
      // closed would let the open create it again afterwards.
      await closed(file);
      await rm(partPath, { force: true });
      throw error;
    }

    const inserted = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO inbound_attachments
         (id, conversation_id, tiktok_message_id, position, kind, content_type, file_name, size)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tiktok_message_id, position) DO NOTHING
       RETURNING id`,
      [
        id,
        upload.conversationId,
        upload.tiktokMessageId,
        upload.index,
        upload.kind,
        upload.contentType,
        upload.fileName,
        cap.bytes,
      ],
    ).catch(async (error: unknown) => {
      await rm(finalPath, { force: true });
      throw error;
    });
    if (inserted.length > 0) return { url: inboundAttachmentUrl(id), size: cap.bytes };

    // A concurrent call for the same attachment won: its file is the one.
    await rm(finalPath, { force: true });
    const winner = await this.findByKey(upload.tiktokMessageId, upload.index);
    if (!winner) throw new Error('inbound attachment row vanished after a conflict');
    return { url: inboundAttachmentUrl(winner.id), size: winner.size };
  }

  /** The file behind a served id, or null when there is none (unknown id, or the file is gone). */
  async open(id: string): Promise<StoredAttachmentFile | null> {
    if (!isUUID(id)) return null;
    const [row] = await queryRows<StoredRow>(
      this.dataSource,
      `SELECT id, content_type, file_name, size FROM inbound_attachments WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    const path = this.pathOf(row.id);
    const exists = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) return null;
    return { path, contentType: row.content_type, fileName: row.file_name, size: row.size };
  }

  private pathOf(id: string): string {
    return join(this.directory, id);
  }

  private async findByKey(tiktokMessageId: string, index: number): Promise<StoredRow | null> {
    const [row] = await queryRows<StoredRow>(
      this.dataSource,
      `SELECT id, content_type, file_name, size FROM inbound_attachments
        WHERE tiktok_message_id = $1 AND position = $2`,
      [tiktokMessageId, index],
    );
    return row ?? null;
  }
}

function closed(file: WriteStream): Promise<void> {
  if (file.closed) return Promise.resolve();
  return new Promise((resolve) => file.once('close', () => resolve()));
}

/**
 * Lets the library's download finish without keeping it: the bytes flow away, and an error the
 * stream raises later (a cap on the library's side) has a listener instead of crashing the process.
 */
function discard(body: NodeJS.ReadableStream): void {
  body.on('error', () => undefined);
  body.resume();
}
