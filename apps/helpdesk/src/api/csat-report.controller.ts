import { Controller, Get } from '@nestjs/common';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';
import { CsatReportService, type CsatInboxReport } from '../csat/csat-report.service';

@Controller('api/csat-report')
@HelpdeskApi()
export class CsatReportController {
  constructor(private readonly csat: CsatReportService) {}

  /** One line per inbox: responses, average, how many gave each score, surveys awaiting an answer. */
  @Get()
  report(): Promise<CsatInboxReport[]> {
    return this.csat.report();
  }
}
