import axios from 'axios';
import { followRedirects } from '../support/e2e-harness';
import { startLibraryHost, type LibraryHost } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';

describe("A host's axios instance", () => {
  let host: LibraryHost;
  const seen: string[] = [];

  beforeAll(async () => {
    const http = axios.create();
    http.interceptors.request.use((config) => {
      seen.push(new URL(config.url ?? '', config.baseURL).pathname);
      return config;
    });
    host = await startLibraryHost('forRoot', { options: { httpClient: http } });
  });

  afterAll(async () => {
    await host?.close();
  });

  it('carries every TikTok call the channel makes, through its interceptors', async () => {
    await new SandboxControl(host.sandbox.url).queueConsent('traced', 'business', 'approve');
    const hops = await followRedirects(`${host.url}/tiktok/oauth/authorize`);

    expect(hops[hops.length - 1]).toContain('tiktok_status=connected');
    expect(seen).toEqual(
      expect.arrayContaining([
        '/open_api/v1.3/business/webhook/update/',
        '/open_api/v1.3/tt_user/oauth2/token/',
        '/open_api/v1.3/business/get/',
      ]),
    );
  });
});
