import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DiagnosticsController } from './diagnostics.controller';
import { HealthController } from './health.controller';

/** Health and diagnostics, over the TikTok library's checks (which the root module provides). */
@Module({
  // Terminus would log every failing probe with a stack; the 503 says it all.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, DiagnosticsController],
})
export class HelpdeskOperationsModule {}
