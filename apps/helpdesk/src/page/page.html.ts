import type { ConnectBanner } from './connect-banner';
import { escapeHtml } from './html';

/**
 * The page's shell. Lists and messages are filled in by /assets/helpdesk.js from the REST API; the
 * connection banner is rendered here so it shows even before (or without) the script.
 */
export function renderPage(banner: ConnectBanner | null): string {
  const bannerHtml = banner
    ? `<div class="banner banner-${banner.tone}" id="connect-banner" role="${banner.tone === 'error' ? 'alert' : 'status'}">
      <p>${escapeHtml(banner.text)}</p>
      <button type="button" class="banner-close" id="connect-banner-close" aria-label="Dismiss">×</button>
    </div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Helpdesk · TikTok messages</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/helpdesk.css">
  <script src="/assets/message-body.js" defer></script>
  <script src="/assets/helpdesk.js" defer></script>
  <script src="/assets/composer.js" defer></script>
</head>
<body>
  <header class="topbar">
    <h1>Helpdesk</h1>
    <a class="button button-tiktok" id="connect" href="/tiktok/oauth/authorize">Sign in with TikTok</a>
  </header>
  ${bannerHtml}
  <p class="load-error" id="load-error" role="alert" hidden></p>
  <main class="columns">
    <section class="panel" aria-labelledby="inboxes-title">
      <h2 id="inboxes-title">Inboxes</h2>
      <ul class="list" id="inboxes"><li class="empty">Loading…</li></ul>
    </section>
    <section class="panel" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      <ul class="list" id="conversations"><li class="empty">Choose an inbox.</li></ul>
    </section>
    <section class="panel thread" aria-labelledby="thread-title">
      <div class="thread-head">
        <h2 id="thread-title">Messages</h2>
        <span class="badge" id="conversation-status" hidden></span>
        <button type="button" class="button button-quiet" id="resolve" hidden>Resolve</button>
      </div>
      <ol class="messages" id="messages"><li class="empty">Choose a conversation.</li></ol>
      <form class="reply" id="reply" hidden>
        <label for="reply-content">Reply</label>
        <p class="composer-blocked" id="composer-blocked" role="status" hidden></p>
        <textarea id="reply-content" name="content" rows="3" placeholder="Write a reply… (Ctrl+Enter sends)"></textarea>
        <ul class="previews" id="reply-previews" aria-label="Attached files"></ul>
        <div class="reply-actions">
          <input type="file" id="reply-files" name="attachments" multiple accept="image/*,video/*" hidden>
          <button type="button" class="button button-quiet" id="reply-attach">Attach</button>
          <p class="reply-error" id="reply-error" role="alert"></p>
          <button type="submit" class="button" id="reply-send">Send</button>
        </div>
      </form>
    </section>
  </main>
  <noscript><p class="load-error">This page needs JavaScript to load inboxes and conversations.</p></noscript>
</body>
</html>
`;
}
