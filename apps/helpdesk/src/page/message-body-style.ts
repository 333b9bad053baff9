/** Styles for what /assets/message-body.js draws; appended to the page's stylesheet. */
export const MESSAGE_BODY_STYLE = `
.attachment-image img { max-width: 240px; max-height: 240px; border-radius: 8px; display: block; }
.attachment-sticker img { width: 120px; height: 120px; object-fit: contain; display: block; }
.attachment-emoji img { width: 48px; height: 48px; object-fit: contain; display: block; }
.attachment-video { margin: 0; }
.attachment-video video { max-width: 320px; max-height: 320px; border-radius: 8px; background: #000; display: block; }
.attachment-video figcaption { font-size: 12px; margin-top: 2px; }
.attachment-unavailable { margin: 0; font-size: 13px; color: var(--warn); }
.share-card { display: flex; flex-direction: column; gap: 2px; padding: 8px 10px; border: 1px solid var(--line); border-left: 3px solid var(--accent); border-radius: 8px; background: var(--panel); min-width: 200px; }
.card-title { font-weight: 600; color: var(--ink); }
.card-sub { font-size: 12px; color: var(--muted); }
.message-quote { margin: 0 0 6px; padding: 4px 8px; border-left: 3px solid var(--line); color: var(--muted); font-size: 13px; display: flex; flex-direction: column; }
.quote-label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.quote-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.message-unknown { margin: 0; font-style: italic; color: var(--muted); }
.reactions { list-style: none; display: flex; gap: 4px; margin: 4px 0 0; padding: 0; }
.reaction { background: var(--panel); border: 1px solid var(--line); border-radius: 999px; padding: 0 6px; font-size: 14px; }
.message-origin { margin: 4px 0 0; font-size: 12px; color: var(--muted); font-style: italic; }
.note { align-self: center; max-width: 85%; display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; padding: 6px 12px; border-radius: 10px; background: var(--warn-bg); color: var(--warn); font-size: 13px; }
.note-referral { background: var(--ok-bg); color: var(--ok); }
.note-title { font-weight: 600; }
.note-time { font-size: 11px; opacity: .8; }
`;
