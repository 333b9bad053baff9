/** The page's stylesheet, served as /assets/helpdesk.css. System fonts only: no external assets. */
export const PAGE_STYLE = `
:root {
  --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --panel: #ffffff; --page: #f5f6f8;
  --accent: #fe2c55; --accent-ink: #ffffff; --ok: #067647; --ok-bg: #ecfdf3; --bad: #b42318; --bad-bg: #fef3f2;
  --warn: #b54708; --warn-bg: #fffaeb; --mine: #eef4ff;
}
* { box-sizing: border-box; }
body { margin: 0; height: 100vh; display: flex; flex-direction: column; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--page); }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 12px; }
.topbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
.button { display: inline-block; border: 0; border-radius: 8px; padding: 8px 14px; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; background: var(--ink); color: #fff; }
.button:disabled { opacity: .5; cursor: default; }
.button-tiktok { background: #000; color: #fff; }
.button-tiktok::before { content: "♪ "; color: #25f4ee; }
.button-small { padding: 4px 10px; font-size: 13px; background: var(--accent); color: var(--accent-ink); }
.button-quiet { background: transparent; color: var(--ink); border: 1px solid var(--line); padding: 4px 12px; }
.banner { display: flex; align-items: flex-start; gap: 12px; margin: 16px 24px 0; padding: 12px 16px; border-radius: 10px; border: 1px solid; }
.banner p { margin: 0; flex: 1; }
.banner-success { color: var(--ok); background: var(--ok-bg); border-color: #abefc6; }
.banner-error { color: var(--bad); background: var(--bad-bg); border-color: #fecdca; }
.banner-action { color: inherit; font-weight: 600; white-space: nowrap; }
.banner-close { border: 0; background: transparent; font-size: 20px; line-height: 1; cursor: pointer; color: inherit; }
.topbar-actions { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; justify-content: flex-end; }
.who { color: var(--muted); font-size: 14px; }
.sign-in { max-width: 360px; margin: 48px auto; padding: 24px; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; display: flex; flex-direction: column; gap: 6px; }
.sign-in h2 { text-transform: none; letter-spacing: 0; font-size: 18px; color: var(--ink); }
.sign-in input, .field input, .field select, .field textarea { font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 8px; width: 100%; }
.load-error { margin: 16px 24px 0; color: var(--bad); }
.columns { display: grid; grid-template-columns: minmax(240px, 300px) minmax(260px, 340px) 1fr; gap: 16px; padding: 16px 24px 24px; flex: 1; min-height: 480px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 16px; overflow: auto; }
.list { list-style: none; margin: 0; padding: 0; }
.empty { color: var(--muted); padding: 8px 0; }
.item { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; padding: 6px; border-radius: 8px; min-width: 0; }
.item + .item { margin-top: 4px; }
.item.selected { background: var(--mine); }
.item-main { flex: 1 1 150px; min-width: 0; max-width: 100%; display: flex; align-items: center; gap: 10px; border: 0; background: transparent; padding: 4px; font: inherit; color: inherit; text-align: left; cursor: pointer; }
.item-text { display: flex; flex-direction: column; align-items: flex-start; min-width: 0; flex: 1; }
.item-preview { color: var(--ink); font-size: 13px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.item.unread .item-title { color: var(--accent); }
.item-title { font-weight: 600; overflow-wrap: anywhere; }
.item-sub { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.all-inboxes { border-radius: 8px; margin-bottom: 4px; }
.all-inboxes.selected { background: var(--mine); }
.avatar { width: 36px; height: 36px; flex: none; border-radius: 50%; object-fit: cover; background: var(--line); }
.avatar-letter { display: inline-flex; align-items: center; justify-content: center; font-weight: 700; color: var(--muted); }
.inbox-actions, .conversation-badges { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-left: auto; max-width: 100%; }
.inbox-settings-link { font-size: 13px; color: var(--muted); }
.inbox-hint { flex-basis: 100%; margin: 0; font-size: 12px; color: var(--warn); overflow-wrap: anywhere; }
.badge-unread { background: var(--accent); color: var(--accent-ink); }
.badge-csat { background: var(--warn-bg); color: var(--warn); }
.badge-disabled { background: var(--line); color: var(--muted); }
.badge-verdict-ok { background: var(--ok-bg); color: var(--ok); }
.badge-verdict-warn { background: var(--warn-bg); color: var(--warn); }
.badge-verdict-fail { background: var(--bad-bg); color: var(--bad); }
.button-danger { background: var(--bad); color: #fff; }
.views-nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; margin: 0 24px; }
.views-nav a { color: var(--muted); text-decoration: none; font-weight: 600; padding: 4px 0; }
.views-nav a[aria-current="page"] { color: var(--ink); border-bottom: 2px solid var(--accent); }
.view { margin: 16px 24px 24px; padding: 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; }
.view-head { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin-bottom: 8px; }
.view-head h2 { flex: 1; margin: 0; text-transform: none; letter-spacing: 0; font-size: 18px; color: var(--ink); }
.view-note { color: var(--muted); margin: 4px 0 12px; }
.view-error { color: var(--bad); margin: 4px 0; }
.view-error:empty, .view-note:empty { display: none; }
.profile { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin-bottom: 16px; }
.profile .avatar { width: 56px; height: 56px; }
.profile-text { flex: 1; min-width: 0; }
.profile-text p { margin: 0; }
.profile-name { font-weight: 700; font-size: 17px; overflow-wrap: anywhere; }
.inline-form { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 16px; }
.inline-form label { font-weight: 600; }
.inline-form input { flex: 1 1 200px; font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 8px; }
.settings-list { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0 0 16px; }
.settings-list dt { color: var(--muted); }
.settings-list dd { margin: 0; overflow-wrap: anywhere; }
.connection { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
.connection .view-note { flex-basis: 100%; margin: 0; }
.rules, .checks { list-style: none; margin: 0 0 16px; padding: 0; display: flex; flex-direction: column; gap: 10px; }
.rule, .check { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.rule-disabled { opacity: .7; }
.rule-title, .check-title { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0 0 6px; font-weight: 600; }
.rule-content { width: 100%; font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 8px; }
.rule-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 6px; }
.rule-form { display: flex; flex-direction: column; gap: 8px; max-width: 560px; }
.rule-form h3 { margin: 0; font-size: 15px; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field label { font-weight: 600; font-size: 14px; }
.check-fail { border-color: #fecdca; }
.check-warn { border-color: #fedf89; }
.check-summary, .check-fix { margin: 2px 0; overflow-wrap: anywhere; }
.check-fix { font-weight: 600; }
.report { border-collapse: collapse; width: 100%; }
.report th, .report td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); }
.message-author { margin: 0 0 2px; font-size: 12px; font-weight: 700; color: var(--muted); }
.author-auto_reply, .author-csat { color: var(--warn); }
.author-tiktok { color: #000; }
.author-tiktok::before { content: "♪ "; color: #25f4ee; }
.badge { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; background: var(--line); color: var(--ink); white-space: nowrap; }
.badge-active, .badge-open { background: var(--ok-bg); color: var(--ok); }
.badge-reauthorization_required { background: var(--warn-bg); color: var(--warn); }
.badge-disconnected { background: var(--bad-bg); color: var(--bad); }
.thread { display: flex; flex-direction: column; }
.thread-head { display: flex; align-items: center; gap: 10px; margin-bottom: 12px; }
.thread-head h2 { margin: 0; flex: 1; text-transform: none; letter-spacing: 0; font-size: 16px; color: var(--ink); }
.messages { list-style: none; margin: 0; padding: 0; flex: 1; overflow: auto; display: flex; flex-direction: column; gap: 8px; }
.message { max-width: 75%; padding: 8px 12px; border-radius: 12px; background: var(--page); align-self: flex-start; }
.message-outgoing { align-self: flex-end; background: var(--mine); }
.message-failed { background: var(--bad-bg); }
.message-text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.message-meta { margin: 4px 0 0; font-size: 12px; color: var(--muted); }
.message-failed .message-meta { color: var(--bad); }
.attachments { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.attachment { display: inline-flex; flex-direction: column; font-size: 13px; color: var(--muted); }
.attachment img { max-width: 200px; max-height: 200px; border-radius: 8px; }
.reply { border-top: 1px solid var(--line); margin-top: 12px; padding-top: 12px; }
.reply label { display: block; font-weight: 600; margin-bottom: 6px; }
.reply textarea { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 8px; resize: vertical; }
.reply-actions { display: flex; align-items: center; gap: 12px; margin-top: 8px; }
.reply-error { flex: 1; margin: 0; color: var(--bad); font-size: 14px; }
.composer-blocked { margin: 0 0 8px; padding: 8px 10px; border-radius: 8px; color: var(--warn); background: var(--warn-bg); font-size: 14px; }
.previews { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
.preview { position: relative; display: flex; align-items: center; gap: 6px; padding: 4px 8px 4px 4px; border: 1px solid var(--line); border-radius: 8px; font-size: 13px; max-width: 240px; }
.preview img { width: 48px; height: 48px; object-fit: cover; border-radius: 6px; }
.preview-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.preview-remove { border: 0; background: transparent; cursor: pointer; font-size: 16px; color: var(--muted); }
.parts { list-style: none; margin: 4px 0 0; padding: 0; font-size: 12px; color: var(--muted); }
.part-failed { color: var(--bad); }
.message-detail { margin: 4px 0 0; font-size: 12px; color: var(--bad); }
.retry { margin-top: 6px; }
[hidden] { display: none !important; }
@media (max-width: 900px) {
  .columns { grid-template-columns: 1fr; height: auto; padding: 12px; }
  .view { margin: 12px; }
  .views-nav { margin: 0; flex-basis: 100%; order: 3; }
  .panel { max-height: none; }
}
`;
