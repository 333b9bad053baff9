import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake keeps every signed webhook exactly as it arrived: the body becomes bytes (a body that is
 * not valid UTF-8, or holds a NUL, could not be kept in `text`), and what intake had to change to
 * store the rest (a timestamp out of range, text made safe for jsonb) is written beside it.
 */
export class TiktokInboundIntake1764900000000 implements MigrationInterface {
  name = 'TiktokInboundIntake1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_webhook_events
        ALTER COLUMN raw_body TYPE bytea USING convert_to(raw_body, 'UTF8'),
        ADD COLUMN intake_note text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_webhook_events
        DROP COLUMN intake_note,
        ALTER COLUMN raw_body TYPE text USING convert_from(raw_body, 'UTF8')`);
  }
}
