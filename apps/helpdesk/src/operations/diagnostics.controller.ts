import { Controller, Get } from '@nestjs/common';
import { TiktokDiagnostics, type TiktokDiagnosticReport } from 'tiktok-channel';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

/** The doctor's report as JSON, for the diagnostics page: every check, its verdict and its fix. */
@Controller('api/diagnostics')
@HelpdeskApi()
export class DiagnosticsController {
  constructor(private readonly diagnostics: TiktokDiagnostics) {}

  @Get()
  report(): Promise<TiktokDiagnosticReport> {
    return this.diagnostics.run();
  }
}
