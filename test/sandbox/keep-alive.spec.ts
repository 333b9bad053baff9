import { request } from 'node:http';
import { RunningSandbox } from 'tiktok-sandbox';
import { startTestSandbox } from './sandbox-kit';

/** The `Keep-Alive` header the sandbox's server answers with: it announces its idle timeout. */
function keepAliveHeader(sandbox: RunningSandbox): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request(`${sandbox.url}/sandbox/stats`, { agent: false }, (response) => {
      response.resume();
      resolve(String(response.headers['keep-alive']));
    });
    call.setHeader('Connection', 'keep-alive');
    call.on('error', reject);
    call.end();
  });
}

describe('sandbox keep-alive timeout', () => {
  it("defaults to Node's 5 s", async () => {
    const sandbox = await startTestSandbox();
    try {
      expect(await keepAliveHeader(sandbox)).toBe('timeout=5');
    } finally {
      await sandbox.close();
    }
  });

  it('keeps idle client connections as long as keepAliveTimeoutMs says', async () => {
    const sandbox = await startTestSandbox({ keepAliveTimeoutMs: 65_000 });
    try {
      expect(await keepAliveHeader(sandbox)).toBe('timeout=65');
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a keepAliveTimeoutMs that is not a whole number of ms', async () => {
    await expect(startTestSandbox({ keepAliveTimeoutMs: -1 })).rejects.toThrow(
      'keepAliveTimeoutMs',
    );
    await expect(startTestSandbox({ keepAliveTimeoutMs: 1.5 })).rejects.toThrow(
      'keepAliveTimeoutMs',
    );
  });
});
