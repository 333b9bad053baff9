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
.topbar { display: flex; align-items: center; justify-content: space-between; padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
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
.item { display: flex; align-items: center; gap: 8px; padding: 6px; border-radius: 8px; }
.item + .item { margin-top: 4px; }
.item.selected { background: var(--mine); }
.item-main { flex: 1; min-width: 0; display: flex; flex-direction: column; align-items: flex-start; border: 0; background: transparent; padding: 4px; font: inherit; color: inherit; text-align: left; cursor: pointer; }
.item-title { font-weight: 600; overflow-wrap: anywhere; }
.item-sub { color: var(--muted); font-size: 13px; }
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
  .columns { grid-template-columns: 1fr; height: auto; }
  .panel { max-height: none; }
}
`;
