export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __TEST_PG__?: { stop(): Promise<void> } }).__TEST_PG__;
  if (server) await server.stop();
}
