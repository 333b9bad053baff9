export interface ConsentPageModel {
  /** The name registered with the app, which TikTok shows (the app id means nothing to a person). */
  appName: string;
  scopes: string[];
  /** Echoed as hidden fields so the decision route sees the original authorize request. */
  hidden: Record<string, string>;
  error?: string;
  /** What the person entered, kept after a validation error. */
  username?: string;
  accountType?: 'business' | 'personal';
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const style = `
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; color: #161823; }
  h1 { font-size: 1.3rem; } .note { color: #666; font-size: .85rem; }
  label { display: block; margin: .8rem 0 .2rem; } input, select { width: 100%; padding: .4rem; }
  .buttons { margin-top: 1.2rem; display: flex; gap: .6rem; }
  button { flex: 1; padding: .6rem; border: 0; border-radius: 4px; cursor: pointer; }
  .approve { background: #fe2c55; color: #fff; } .deny { background: #eee; }
  .error { color: #b00020; } code { background: #f3f3f3; padding: 0 .2rem; }`;

export function consentPage(model: ConsentPageModel): string {
  const scopes = model.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  const hidden = Object.entries(model.hidden)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  const title = `${model.appName} wants access to your TikTok account (${model.scopes.join(', ')})`;
  const selected = (type: string) => (model.accountType === type ? ' selected' : '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head>
<body>
<h1>${escapeHtml(model.appName)} wants access to your TikTok account</h1>
<p class="note">TikTok sandbox: no password, any username signs in (the same username is the same account).</p>
<p>Requested scopes:</p><ul>${scopes}</ul>
${model.error ? `<p class="error">${escapeHtml(model.error)}</p>` : ''}
<form method="post" action="/v2/auth/authorize/decision">${hidden}
<label for="username">Username</label>
<input id="username" name="username" required maxlength="24" autocomplete="off" placeholder="shopdemo" value="${escapeHtml(model.username ?? '')}">
<label for="account_type">Account type</label>
<select id="account_type" name="account_type">
<option value="business"${selected('business')}>Business account</option>
<option value="personal"${selected('personal')}>Personal account</option>
</select>
<div class="buttons">
<button class="deny" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
<button class="approve" type="submit" name="decision" value="approve">Approve</button>
</div>
</form>
</body></html>`;
}

export function authorizeErrorPage(reason: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TikTok authorization error</title><style>${style}</style></head>
<body><h1>Something went wrong</h1><p class="error">${escapeHtml(reason)}</p>
<p class="note">TikTok sandbox: the authorize request was refused before any consent.</p></body></html>`;
}
