import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

/** Satisfaction per inbox: how many rated, the average, and how many gave each score. */
export interface CsatInboxReport {
  inboxId: string;
  inboxName: string;
  responses: number;
  /** Rounded to two decimals; null before the first rating. */
  average: number | null;
  /** `distribution[0]` counts the 1s, `distribution[4]` the 5s. */
  distribution: [number, number, number, number, number];
  /** Surveys sent and still waiting for an answer. */
  awaiting: number;
}

@Injectable()
export class CsatReportService {
  constructor(private readonly dataSource: DataSource) {}

  async report(): Promise<CsatInboxReport[]> {
    const rows = await queryRows<{
      id: string;
      name: string;
      responses: number;
      average: string | null;
      d1: number;
      d2: number;
      d3: number;
      d4: number;
      d5: number;
      awaiting: number;
    }>(
      this.dataSource,
      `SELECT i.id, i.name,
              count(r.id)::int AS responses,
              round(avg(r.rating), 2)::text AS average,
              count(*) FILTER (WHERE r.rating = 1)::int AS d1,
              count(*) FILTER (WHERE r.rating = 2)::int AS d2,
              count(*) FILTER (WHERE r.rating = 3)::int AS d3,
              count(*) FILTER (WHERE r.rating = 4)::int AS d4,
              count(*) FILTER (WHERE r.rating = 5)::int AS d5,
              (SELECT count(*)::int FROM conversations c
                WHERE c.inbox_id = i.id AND c.csat_requested_at IS NOT NULL) AS awaiting
         FROM inboxes i
         LEFT JOIN csat_ratings r ON r.inbox_id = i.id
        GROUP BY i.id, i.name, i.created_at
        ORDER BY i.created_at`,
    );
    return rows.map((row) => ({
      inboxId: row.id,
      inboxName: row.name,
      responses: row.responses,
      average: row.average === null ? null : Number(row.average),
      distribution: [row.d1, row.d2, row.d3, row.d4, row.d5],
      awaiting: row.awaiting,
    }));
  }
}
