import { MESSAGE_FAILURE_TEXT } from './message-failure-text';

/**
 * The reply composer, served as /assets/composer.js beside the page's own script: attachments
 * with previews, sending as multipart, the typing indicator, "read" when a conversation opens,
 * the composer disabled (with the reason) while TikTok would refuse a reply, and each part's
 * status with a retry under a failed reply. Plain browser JavaScript; user content only ever goes
 * into the DOM through textContent or a data: URL the browser made itself.
 */
export const COMPOSER_SCRIPT = `'use strict';
(function () {
  var FAILURE_TEXT = ${JSON.stringify(MESSAGE_FAILURE_TEXT)};
  var PART_STATUS_TEXT = { pending: 'Sending…', sent: 'Sent', read: 'Read', failed: 'Not sent' };
  var PART_KIND_TEXT = { text: 'Text', image: 'Image', share_post: 'TikTok post', link: 'Video link' };
  var TYPING_EVERY_MS = 4000;

  var state = { conversationId: null, files: [], lastTyping: 0, canSend: true, sending: false };

  function byId(id) { return document.getElementById(id); }
  function page() { return window.helpdeskPage; }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === null || value === undefined || value === false) return;
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else if (key.indexOf('on') === 0) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  async function call(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var response = await fetch(path, init);
    var text = await response.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!response.ok) {
      var message = data && data.message ? data.message : response.status + ' ' + response.statusText;
      throw new Error(Array.isArray(message) ? message.join('; ') : String(message));
    }
    return data;
  }

  /** The page's open conversation: it may be ahead of the last one this module heard about. */
  function openConversation() {
    return page() ? page().conversationId() : state.conversationId;
  }

  function conversationPath(suffix, id) {
    return '/api/conversations/' + encodeURIComponent(id || openConversation()) + suffix;
  }

  // ---- the composer's state: can a reply go out now? -----------------------------------------

  function applyComposerState(view) {
    state.canSend = view.canSend;
    var blocked = byId('composer-blocked');
    blocked.hidden = view.canSend;
    blocked.textContent = view.canSend ? '' : (view.detail || FAILURE_TEXT[view.reason] || FAILURE_TEXT.unknown);
    byId('reply-content').disabled = !view.canSend;
    byId('reply-attach').disabled = !view.canSend;
    byId('reply-send').disabled = !view.canSend || state.sending;
  }

  async function loadComposerState() {
    var id = state.conversationId;
    if (!id) return;
    try {
      var view = await call('GET', conversationPath('/composer', id));
      if (id === state.conversationId) applyComposerState(view);
    } catch (e) {
      // The page shows load errors itself; keep the composer as it was.
    }
  }

  function conversationChanged(id) {
    state.conversationId = id;
    clearFiles();
    byId('reply-error').textContent = '';
    if (!id) return;
    loadComposerState();
    // An agent opened the conversation: the customer sees their messages read.
    call('POST', conversationPath('/read', id)).catch(function () {});
  }

  // ---- attachments -----------------------------------------------------------------------------

  function clearFiles() {
    state.files = [];
    renderPreviews();
  }

  function addFiles(list) {
    for (var i = 0; i < list.length; i++) state.files.push({ file: list[i], preview: null });
    renderPreviews();
    state.files.forEach(function (entry) {
      if (entry.preview !== null || entry.file.type.indexOf('image/') !== 0) return;
      entry.preview = '';
      var reader = new FileReader();
      reader.onload = function () {
        entry.preview = typeof reader.result === 'string' ? reader.result : '';
        renderPreviews();
      };
      reader.readAsDataURL(entry.file);
    });
  }

  function renderPreviews() {
    var list = byId('reply-previews');
    list.replaceChildren();
    state.files.forEach(function (entry, index) {
      var thumb = entry.preview && entry.preview.indexOf('data:image/') === 0
        ? el('img', { src: entry.preview, alt: 'Preview of ' + entry.file.name })
        : null;
      list.appendChild(el('li', { className: 'preview', 'data-file-name': entry.file.name }, [
        thumb,
        el('span', { className: 'preview-name', text: entry.file.name }),
        el('button', { type: 'button', className: 'preview-remove', 'aria-label': 'Remove ' + entry.file.name,
          text: '×', onclick: function () { state.files.splice(index, 1); renderPreviews(); } })
      ]));
    });
  }

  // ---- sending -------------------------------------------------------------------------------

  async function send(event) {
    event.preventDefault();
    if (!openConversation() || !state.canSend || state.sending) return;
    var box = byId('reply-content');
    var error = byId('reply-error');
    if (!box.value.trim() && state.files.length === 0) {
      error.textContent = 'Write a message or attach a file first.';
      return;
    }
    state.sending = true;
    byId('reply-send').disabled = true;
    error.textContent = '';
    try {
      var body;
      if (state.files.length > 0) {
        body = new FormData();
        body.append('content', box.value);
        state.files.forEach(function (entry) { body.append('attachments', entry.file, entry.file.name); });
      } else {
        body = { content: box.value };
      }
      var message = await call('POST', conversationPath('/messages'), body);
      box.value = '';
      clearFiles();
      if (message.status === 'failed') {
        error.textContent = 'Not sent: ' + (message.failureDetail || FAILURE_TEXT[message.failureReason] || FAILURE_TEXT.unknown);
      }
    } catch (e) {
      error.textContent = e.message;
    } finally {
      state.sending = false;
      byId('reply-send').disabled = !state.canSend;
    }
    await page().refresh();
    loadComposerState();
  }

  function typing() {
    if (!openConversation() || !state.canSend) return;
    var now = Date.now();
    if (now - state.lastTyping < TYPING_EVERY_MS) return;
    state.lastTyping = now;
    call('POST', conversationPath('/typing')).catch(function () {});
  }

  async function retry(message, button) {
    button.disabled = true;
    byId('reply-error').textContent = '';
    try {
      await call('POST', conversationPath('/messages/' + encodeURIComponent(message.id) + '/retry'));
    } catch (e) {
      byId('reply-error').textContent = e.message;
    }
    await page().refresh();
    loadComposerState();
  }

  // ---- what the page asks of the composer ----------------------------------------------------

  /** Adds each part's status (with its reason) and a retry to an agent's reply. */
  function decorate(message, item) {
    if (message.direction !== 'outgoing') return;
    var parts = message.parts || [];
    var failed = message.status === 'failed';
    if (parts.length > 1 || (failed && parts.length > 0)) {
      item.appendChild(el('ul', { className: 'parts', 'aria-label': 'Parts' }, parts.map(function (part) {
        var words = (PART_KIND_TEXT[part.kind] || part.kind) + ': ' + (PART_STATUS_TEXT[part.status] || part.status);
        if (part.status === 'failed') words += ' — ' + (part.detail || FAILURE_TEXT[part.reason] || FAILURE_TEXT.unknown);
        return el('li', { className: 'part part-' + part.status + (part.status === 'failed' ? ' part-failed' : ''),
          'data-part-index': part.index, text: words });
      })));
    } else if (failed && message.failureDetail) {
      item.appendChild(el('p', { className: 'message-detail', text: message.failureDetail }));
    }
    if (failed) {
      var button = el('button', { type: 'button', className: 'button button-quiet retry', text: 'Retry' });
      button.addEventListener('click', function () { retry(message, button); });
      item.appendChild(button);
    }
  }

  function refreshed(conversationId) {
    if (conversationId !== state.conversationId) conversationChanged(conversationId);
    else loadComposerState();
  }

  window.helpdeskComposer = { decorate: decorate, refreshed: refreshed };

  byId('reply').addEventListener('submit', send);
  byId('reply-content').addEventListener('input', typing);
  byId('reply-content').addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) byId('reply').requestSubmit();
  });
  byId('reply-attach').addEventListener('click', function () { byId('reply-files').click(); });
  byId('reply-files').addEventListener('change', function (event) {
    addFiles(event.target.files);
    event.target.value = '';
  });
  // The page may have painted before this script ran: paint again with the decorations.
  if (page()) page().repaint();
})();
`;
