import type { Request, Response } from 'express';
import { accountIdFor } from './account-id';
import { BrowserBinding, bindingOf } from './browser-binding';

const request = (cookie?: string) => ({ headers: cookie ? { cookie } : {} }) as Request;

function response() {
  const set: string[] = [];
  return {
    set,
    res: { append: (_name: string, value: string) => set.push(value) } as unknown as Response,
  };
}

describe('The browser binding', () => {
  it('reuses the key a browser already holds and refreshes its cookie', () => {
    const binding = new BrowserBinding(false, 600);
    const { set, res } = response();
    const key = binding.attach(request(), res);
    const again = response();

    expect(binding.attach(request(`other=1; tiktok_oauth_browser=${key}`), again.res)).toBe(key);
    expect(set[0]).toBe(`tiktok_oauth_browser=${key}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax`);
  });

  it('uses a __Host- cookie with Secure when the callback is https', () => {
    const binding = new BrowserBinding(true, 600);
    const { set, res } = response();
    binding.attach(request(), res);
    expect(set[0]).toMatch(/^__Host-tiktok_oauth_browser=.*; Secure$/);
    expect(binding.read(request(`tiktok_oauth_browser=${'a'.repeat(43)}`))).toBeUndefined();
  });

  it('ignores a cookie value it could not have issued', () => {
    const binding = new BrowserBinding(false, 600);
    expect(binding.read(request('tiktok_oauth_browser=short'))).toBeUndefined();
    expect(binding.read(request(`tiktok_oauth_browser=${'a'.repeat(42)}!`))).toBeUndefined();
  });

  it('stores only a hash of the key', () => {
    const key = 'k'.repeat(43);
    expect(bindingOf(key)).not.toContain(key.slice(0, 8));
    expect(bindingOf(key)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bindingOf(key)).toBe(bindingOf(key));
  });
});

describe('accountIdFor', () => {
  it('gives one business the same version-5 UUID every time, and another business another', () => {
    expect(accountIdFor('biz_1')).toBe(accountIdFor('biz_1'));
    expect(accountIdFor('biz_1')).not.toBe(accountIdFor('biz_2'));
    expect(accountIdFor('biz_1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
