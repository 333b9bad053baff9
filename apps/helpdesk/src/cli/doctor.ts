import 'reflect-metadata';
import { TiktokDiagnostics, formatTiktokDiagnosticReport } from 'tiktok-channel';
import { reachDemoDatabase } from '../demo/demo-database';
import { DemoConfigError, demoEnvironment } from '../demo/demo-environment';
import { findRepoRoot } from '../demo/repo-root';
import { openCliContext } from './cli-context';

const USAGE = `npm run doctor [-- --json] [-- --requeue-parked]

Checks the demo's TikTok channel with the demo's configuration (the environment and
.data/demo-secrets.json): app credentials, redirect URI, webhook registration, clock, parked
events, and each account's authorization, permissions, type, message sync and sending.
Exit code 1 when a check fails.

  --json            print the report as JSON
  --requeue-parked  first put parked webhook events back in the queue (fix their cause first)`;

/** `npm run doctor`: the channel's troubleshooting, in the terminal. */
async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((arg) => !['--json', '--requeue-parked'].includes(arg));
  if (unknown.length > 0) {
    console.error(`Unknown option ${unknown.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const json = args.includes('--json');
  const root = findRepoRoot(__dirname);
  const environment = demoEnvironment(process.env, root, 'read');
  const database = await reachDemoDatabase(environment.databaseUrl, environment.dataDir, root);
  try {
    const cli = await openCliContext(database.url, environment.tiktok);
    try {
      const diagnostics = cli.app.get(TiktokDiagnostics);
      if (args.includes('--requeue-parked') && !cli.databaseProblem) {
        const requeued = await diagnostics.requeueParkedEvents();
        if (!json) console.log(`Requeued ${requeued} parked webhook event(s).`);
      }
      const report = await diagnostics.run();
      if (json) {
        console.log(JSON.stringify(report, null, 2));
      } else {
        const tiktok = environment.sandbox
          ? `the demo's TikTok sandbox at ${environment.sandbox.url} (it runs inside npm start)`
          : environment.tiktok.apiBaseUrl;
        console.log(
          [
            `Database: ${database.note}${cli.databaseProblem ? ` (not connected: ${cli.databaseProblem})` : ''}`,
            `TikTok:   ${tiktok}`,
            '',
            formatTiktokDiagnosticReport(report, { color: process.stdout.isTTY }),
          ].join('\n'),
        );
      }
      return report.verdict === 'fail' ? 1 : 0;
    } finally {
      await cli.close();
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof DemoConfigError
        ? `Cannot check the demo: ${error.message}`
        : `The doctor failed: ${(error as Error).stack ?? String(error)}`,
    );
    process.exit(1);
  },
);
