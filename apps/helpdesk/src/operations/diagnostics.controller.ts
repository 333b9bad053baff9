import { Controller, Get } from '@nestjs/common';
import { TiktokDiagnostics, type TiktokDiagnosticReport } from 'tiktok-channel';

/** The doctor's report as JSON, for the diagnostics page: every check, its verdict and its fix. */
@Controller('api/diagnostics')
export class DiagnosticsController {
  constructor(private readonly diagnostics: TiktokDiagnostics) {}

  @Get()
  report(): Promise<TiktokDiagnosticReport> {
    return this.diagnostics.run();
  }
}
