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
      ${banner.action ? `<a class="banner-action" id="connect-banner-action" href="${escapeHtml(banner.action.href)}">${escapeHtml(banner.action.text)}</a>` : ''}
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
  <script src="/assets/views.js" defer></script>
</head>
<body>
  <header class="topbar">
    <h1>Helpdesk</h1>
    <nav class="views-nav" id="views-nav" aria-label="Sections" hidden>
      <a href="#view=conversations" data-view="conversations">Conversations</a>
      <a href="#view=automation" data-view="automation">Automation</a>
      <a href="#view=csat" data-view="csat">Satisfaction</a>
      <a href="#view=diagnostics" data-view="diagnostics">Diagnostics</a>
      <a href="#view=team" data-view="team">Team</a>
    </nav>
    <div class="topbar-actions" id="account" hidden>
      <span class="who" id="who"></span>
      <a class="button button-tiktok" id="connect" href="/tiktok/oauth/authorize">Sign in with TikTok</a>
      <button type="button" class="button button-quiet" id="sign-out">Sign out</button>
    </div>
  </header>
  ${bannerHtml}
  <form class="sign-in" id="sign-in" hidden>
    <h2>Sign in to the helpdesk</h2>
    <label for="sign-in-email">Email</label>
    <input id="sign-in-email" name="email" type="email" autocomplete="username" required>
    <label for="sign-in-password">Password</label>
    <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required>
    <p class="reply-error" id="sign-in-error" role="alert"></p>
    <button type="submit" class="button" id="sign-in-submit">Sign in</button>
  </form>
  <p class="load-error" id="load-error" role="alert" hidden></p>
  <main class="columns" id="workspace" hidden>
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
        <span class="badge badge-csat" id="conversation-csat" hidden></span>
        <span class="badge" id="conversation-status" hidden></span>
        <button type="button" class="button button-quiet" id="resolve" hidden>Resolve</button>
        <button type="button" class="button button-quiet" id="reopen" hidden>Reopen</button>
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
  <section class="view" id="view-inbox" aria-labelledby="inbox-settings-title" hidden>
    <div class="view-head">
      <h2 id="inbox-settings-title">Inbox settings</h2>
      <a class="button button-quiet" href="#view=conversations">Back to conversations</a>
    </div>
    <p class="view-error" id="inbox-settings-error" role="alert"></p>
    <div class="settings" id="inbox-settings"></div>
  </section>
  <section class="view" id="view-automation" aria-labelledby="automation-title" hidden>
    <div class="view-head"><h2 id="automation-title">Automation rules</h2></div>
    <p class="view-note">An auto-reply answers the first message of a new conversation; a satisfaction survey goes out when a conversation is resolved and asks for a rating from 1 to 5. A rule’s message is sent only when TikTok would deliver it (inside the 48-hour reply window, with messages left).</p>
    <p class="view-error" id="automation-error" role="alert"></p>
    <ul class="rules" id="rules"></ul>
    <form class="rule-form" id="rule-form">
      <h3>New rule</h3>
      <div class="field"><label for="rule-kind">Kind</label>
        <select id="rule-kind"><option value="auto_reply">Auto-reply to the first message</option><option value="csat">Satisfaction survey when resolved</option></select></div>
      <div class="field"><label for="rule-inbox">Inbox</label><select id="rule-inbox"></select></div>
      <div class="field"><label for="rule-content">Message</label><textarea id="rule-content" rows="2"></textarea></div>
      <button type="submit" class="button" id="rule-create">Create rule</button>
    </form>
  </section>
  <section class="view" id="view-csat" aria-labelledby="csat-title" hidden>
    <div class="view-head"><h2 id="csat-title">Customer satisfaction</h2></div>
    <p class="view-error" id="csat-error" role="alert"></p>
    <table class="report" id="csat-report">
      <thead><tr><th scope="col">Inbox</th><th scope="col">Ratings</th><th scope="col">Average</th><th scope="col">1 · 2 · 3 · 4 · 5</th><th scope="col">Awaiting</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="view" id="view-diagnostics" aria-labelledby="diagnostics-title" hidden>
    <div class="view-head">
      <h2 id="diagnostics-title">Diagnostics</h2>
      <button type="button" class="button button-quiet" id="diagnostics-run">Run the checks again</button>
    </div>
    <p class="view-note" id="diagnostics-summary"></p>
    <p class="view-error" id="diagnostics-error" role="alert"></p>
    <ul class="checks" id="checks"></ul>
  </section>
  <section class="view" id="view-team" aria-labelledby="team-title" hidden>
    <div class="view-head"><h2 id="team-title">Team</h2></div>
    <p class="view-error" id="team-error" role="alert"></p>
    <ul class="rules" id="team"></ul>
    <form class="rule-form" id="agent-form" hidden>
      <h3>Add an agent</h3>
      <div class="field"><label for="agent-name">Name</label><input id="agent-name" autocomplete="off"></div>
      <div class="field"><label for="agent-email">Agent email</label><input id="agent-email" type="email" autocomplete="off"></div>
      <div class="field"><label for="agent-password">Agent password</label><input id="agent-password" type="password" autocomplete="new-password"></div>
      <button type="submit" class="button" id="agent-create">Add agent</button>
    </form>
  </section>
  <noscript><p class="load-error">This page needs JavaScript to load inboxes and conversations.</p></noscript>
</body>
</html>
`;
}
