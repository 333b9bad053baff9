import { MESSAGE_FAILURE_TEXT } from './message-failure-text';

/**
 * The page's script, served as /assets/helpdesk.js (a file of its own so the Content-Security-Policy
 * can forbid inline scripts). Plain browser JavaScript, no build step. Every piece of user content
 * goes into the DOM through textContent or a checked URL, never through innerHTML.
 */
export const PAGE_SCRIPT = `'use strict';
(function () {
  var FAILURE_TEXT = ${JSON.stringify(MESSAGE_FAILURE_TEXT)};
  var CHANNEL_STATUS_TEXT = {
    active: 'Connected',
    reauthorization_required: 'Needs reconnecting',
    disconnected: 'Disconnected'
  };
  var MESSAGE_STATUS_TEXT = { pending: 'Sending…', sent: 'Sent', delivered: 'Delivered', read: 'Read' };
  var POLL_MS = 4000;
  /** The inbox selection that lists every inbox's conversations. */
  var ALL = 'all';

  var state = { user: null, inboxes: [], conversations: [], inboxId: null, conversationId: null, messagesKey: '', generation: 0 };

  function byId(id) { return document.getElementById(id); }

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

  async function api(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var response = await fetch(path, init);
    if (response.status === 401 && path !== '/api/session') {
      // The session ended (expired, or signed out in another tab): back to the sign-in form.
      showSignIn();
      throw new Error('Please sign in again.');
    }
    var text = await response.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!response.ok) {
      var message = data && data.message ? data.message : response.status + ' ' + response.statusText;
      throw new Error(Array.isArray(message) ? message.join('; ') : String(message));
    }
    return data;
  }

  /** Only web links may become href/src: a javascript: URL in a message must stay inert text. */
  function safeUrl(url) {
    if (typeof url !== 'string' || !url) return null;
    try {
      var parsed = new URL(url, location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function formatTime(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

  function contactName(contact) {
    return contact.name || (contact.username ? '@' + contact.username : contact.tiktokUserId);
  }

  function showLoadError(error) {
    var node = byId('load-error');
    node.textContent = error ? 'Could not reach the helpdesk: ' + error.message : '';
    node.hidden = !error;
  }

  function remember() {
    var params = new URLSearchParams();
    // The section shown (views.js) stays in the address beside the selection.
    var view = new URLSearchParams(location.hash.slice(1)).get('view');
    if (view) params.set('view', view);
    if (state.inboxId) params.set('inbox', state.inboxId);
    if (state.conversationId) params.set('conversation', state.conversationId);
    var hash = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (hash ? '#' + hash : ''));
  }

  /** A round picture, or the name's first letter when there is none (or it does not load). */
  function avatar(url, name, onBroken) {
    var safe = safeUrl(url);
    var letter = el('span', { className: 'avatar avatar-letter', 'aria-hidden': 'true',
      text: (name || '?').replace(/^@/, '').charAt(0).toUpperCase() });
    if (!safe) return letter;
    var image = el('img', { className: 'avatar', src: safe, alt: '', loading: 'lazy' });
    image.addEventListener('error', function () {
      image.replaceWith(letter);
      if (onBroken) onBroken();
    });
    return image;
  }

  /**
   * TikTok's avatar links expire: when a connected inbox's avatar no longer loads, its profile is
   * read from TikTok again (once per inbox and page load) and the list repainted with the new link.
   */
  var profileRefreshTried = {};
  function refreshBrokenProfile(inbox) {
    if (inbox.channel.status !== 'active' || profileRefreshTried[inbox.id]) return;
    profileRefreshTried[inbox.id] = true;
    api('POST', '/api/inboxes/' + encodeURIComponent(inbox.id) + '/profile/refresh')
      .then(function () { refresh(); }, function () { /* the letter stays; settings show why */ });
  }

  function renderInboxes() {
    var list = byId('inboxes');
    list.replaceChildren();
    if (state.inboxes.length === 0) {
      list.appendChild(el('li', { className: 'empty', text: 'No inbox yet. Use “Sign in with TikTok” to connect a TikTok Business account.' }));
      return;
    }
    var all = state.inboxId === ALL;
    list.appendChild(el('li', { className: 'all-inboxes' + (all ? ' selected' : '') }, [
      el('button', { type: 'button', className: 'item-main', 'aria-current': all ? 'true' : null,
        onclick: function () { selectInbox(ALL); } }, [el('span', { className: 'item-title', text: 'All inboxes' })])
    ]));
    state.inboxes.forEach(function (inbox) {
      var status = inbox.channel.status;
      var selected = inbox.id === state.inboxId;
      var handle = inbox.channel.username ? '@' + inbox.channel.username : '';
      list.appendChild(el('li', { className: 'item inbox-card' + (selected ? ' selected' : ''), 'data-inbox-id': inbox.id,
        'data-status': status }, [
        el('button', { type: 'button', className: 'item-main', 'aria-current': selected ? 'true' : null,
          onclick: function () { selectInbox(inbox.id); } }, [
          avatar(inbox.channel.profileImageUrl, inbox.channel.displayName || inbox.name,
            function () { refreshBrokenProfile(inbox); }),
          el('span', { className: 'item-text' }, [
            el('span', { className: 'item-title', text: inbox.name }),
            // The default inbox name already carries the handle; repeat it only for renamed inboxes.
            el('span', { className: 'item-sub', text: handle && inbox.name.indexOf(handle) === -1 ? handle : '' })
          ])
        ]),
        el('div', { className: 'inbox-actions' }, [
          el('span', { className: 'badge badge-' + status, text: CHANNEL_STATUS_TEXT[status] || status }),
          el('a', { className: 'inbox-settings-link', href: '#view=inbox&inbox=' + encodeURIComponent(inbox.id),
            'aria-label': 'Settings of ' + inbox.name, text: 'Settings' }),
          status === 'active' || !isAdmin() ? null : el('a', { className: 'button button-small',
            href: '/tiktok/oauth/authorize?inboxId=' + encodeURIComponent(inbox.id), text: 'Reconnect' })
        ]),
        // Which TikTok account to sign in with: another one would be refused as a mismatch.
        status === 'active' || !handle ? null
          : el('p', { className: 'inbox-hint', text: 'Reconnect by signing in to TikTok as ' + handle + '.' })
      ]));
    });
  }

  function isAdmin() { return Boolean(state.user && state.user.role === 'admin'); }

  function inboxName(inboxId) {
    var inbox = state.inboxes.find(function (i) { return i.id === inboxId; });
    return inbox ? inbox.name : '';
  }

  function renderConversations() {
    var list = byId('conversations');
    list.replaceChildren();
    if (!state.inboxId) {
      list.appendChild(el('li', { className: 'empty', text: 'Choose an inbox.' }));
      return;
    }
    if (state.conversations.length === 0) {
      list.appendChild(el('li', { className: 'empty', text: 'No conversations yet. They start when someone writes to the TikTok account.' }));
      return;
    }
    state.conversations.forEach(function (conversation) {
      var selected = conversation.id === state.conversationId;
      var name = contactName(conversation.contact);
      var sub = [state.inboxId === ALL ? inboxName(conversation.inboxId) : '', formatTime(conversation.lastMessageAt)]
        .filter(Boolean).join(' · ');
      list.appendChild(el('li', { className: 'item conversation' + (selected ? ' selected' : '') + (conversation.unreadCount ? ' unread' : ''),
        'data-conversation-id': conversation.id }, [
        el('button', { type: 'button', className: 'item-main', 'aria-current': selected ? 'true' : null,
          'aria-label': name, onclick: function () { selectConversation(conversation.id); } }, [
          avatar(conversation.contact.avatarUrl, name),
          el('span', { className: 'item-text' }, [
            el('span', { className: 'item-title', text: name }),
            conversation.preview ? el('span', { className: 'item-preview',
              text: (conversation.previewDirection === 'outgoing' ? 'You: ' : '') + conversation.preview }) : null,
            el('span', { className: 'item-sub', text: sub })
          ])
        ]),
        el('div', { className: 'conversation-badges' }, [
          conversation.unreadCount ? el('span', { className: 'badge badge-unread', 'aria-label': conversation.unreadCount + ' unread',
            text: String(conversation.unreadCount) }) : null,
          el('span', { className: 'badge badge-' + conversation.status, text: conversation.status === 'open' ? 'Open' : 'Resolved' })
        ])
      ]));
    });
  }

  function renderAttachment(attachment) {
    var url = safeUrl(attachment.url);
    var label = '[' + attachment.kind + ']';
    if (!url) return el('span', { className: 'attachment', text: label });
    var children = attachment.kind === 'image' ? [el('img', { src: url, alt: 'Image attachment', loading: 'lazy' })] : [];
    children.push(el('span', { text: label }));
    return el('a', { className: 'attachment', href: url, target: '_blank', rel: 'noopener noreferrer' }, children);
  }

  var SENT_FROM_TEXT = { tiktok_app: 'Sent from the TikTok app', tiktok_web: 'Sent from TikTok on the web',
    api: 'Sent by another tool', other: 'Sent outside the helpdesk' };

  /** Who wrote a reply: the agent's name, an automation, or the business in TikTok itself. */
  function authorMark(message) {
    var author = message.author;
    if (!author || message.direction !== 'outgoing') return null;
    var text = author.kind === 'agent' ? (author.name || 'An agent')
      : author.kind === 'auto_reply' ? 'Auto-reply'
      : author.kind === 'csat' ? 'Satisfaction survey'
      : SENT_FROM_TEXT[message.sentFrom] || SENT_FROM_TEXT.tiktok_app;
    return el('p', { className: 'message-author author-' + author.kind, text: text });
  }

  function messageMeta(message) {
    var parts = [formatTime(message.sentAt)];
    if (message.direction === 'outgoing') {
      if (message.status === 'failed') {
        parts.push('Not sent: ' + (FAILURE_TEXT[message.failureReason] || FAILURE_TEXT.unknown));
      } else {
        parts.push(MESSAGE_STATUS_TEXT[message.status] || message.status);
      }
    }
    return parts.filter(Boolean).join(' · ');
  }

  function renderMessages(messages, notes) {
    var key = JSON.stringify([messages, notes]);
    if (key === state.messagesKey) return;
    state.messagesKey = key;
    var list = byId('messages');
    list.replaceChildren();
    if (!messages) {
      list.appendChild(el('li', { className: 'empty', text: 'Choose a conversation.' }));
      return;
    }
    if (messages.length === 0) list.appendChild(el('li', { className: 'empty', text: 'No messages yet.' }));
    // The message-body module (message-body.js) draws bodies (media, quotes, reactions) and notes.
    var body = window.helpdeskMessageBody;
    var items = body ? body.timeline(messages, notes) : messages.map(function (m) { return { message: m }; });
    items.forEach(function (entry) {
      if (entry.note) { list.appendChild(body.note(entry.note)); return; }
      var message = entry.message;
      var failed = message.status === 'failed';
      var item = el('li', { className: 'message message-' + message.direction + (failed ? ' message-failed' : ''),
        'data-message-id': message.id }, [authorMark(message)].concat(body ? body.render(message) : [
        message.content ? el('p', { className: 'message-text', text: message.content }) : null,
        message.attachments.length ? el('div', { className: 'attachments' }, message.attachments.map(renderAttachment)) : null
      ]).concat([el('p', { className: 'message-meta', text: messageMeta(message) })]));
      // The composer module (composer.js) adds each part's status and a retry to replies.
      if (window.helpdeskComposer) window.helpdeskComposer.decorate(message, item);
      list.appendChild(item);
    });
    list.scrollTop = list.scrollHeight;
  }

  function renderThreadControls() {
    var conversation = state.conversations.find(function (c) { return c.id === state.conversationId; });
    var status = byId('conversation-status');
    byId('reply').hidden = !conversation;
    byId('resolve').hidden = !conversation || conversation.status !== 'open';
    byId('reopen').hidden = !conversation || conversation.status === 'open';
    var csat = byId('conversation-csat');
    csat.hidden = !conversation || (!conversation.csat && !conversation.csatAwaiting);
    if (conversation) {
      csat.textContent = conversation.csat ? 'Rated ' + conversation.csat.rating + '/5' : 'Survey sent';
      csat.title = conversation.csat ? 'The customer’s satisfaction rating, ' + formatTime(conversation.csat.ratedAt) : 'Waiting for the customer’s 1–5 rating';
    }
    status.hidden = !conversation;
    byId('thread-title').textContent = conversation ? contactName(conversation.contact) : 'Messages';
    if (conversation) {
      status.textContent = conversation.status === 'open' ? 'Open' : 'Resolved';
      status.className = 'badge badge-' + conversation.status;
    }
  }

  /**
   * Loads everything for the current selection, then shows it only if no newer refresh started
   * meanwhile (a click on another inbox), so a slow answer never paints the wrong inbox.
   */
  async function refresh() {
    // Nothing to load before sign-in (the composer asks for a repaint as soon as it loads).
    if (!state.user) return;
    var generation = ++state.generation;
    var inboxId = state.inboxId;
    var conversationId = state.conversationId;
    try {
      var inboxes = await api('GET', '/api/inboxes');
      if (!inboxId && inboxes.length === 1) inboxId = inboxes[0].id;
      if (inboxId && inboxId !== ALL && !inboxes.some(function (i) { return i.id === inboxId; })) inboxId = null;
      var conversations = inboxId === ALL ? await api('GET', '/api/conversations')
        : inboxId ? await api('GET', '/api/conversations?inboxId=' + encodeURIComponent(inboxId))
        : [];
      if (conversationId && !conversations.some(function (c) { return c.id === conversationId; })) conversationId = null;
      // Notes come beside the messages, at once: a slower refresh would repaint after the agent
      // already started on the conversation.
      var thread = conversationId
        ? await Promise.all(['/messages', '/notes'].map(function (list) {
          return api('GET', '/api/conversations/' + encodeURIComponent(conversationId) + list);
        }))
        : [null, null];
      var messages = thread[0];
      var notes = thread[1];
      if (generation !== state.generation) return;
      state.inboxes = inboxes;
      state.conversations = conversations;
      if (state.inboxId !== inboxId || state.conversationId !== conversationId) {
        state.inboxId = inboxId;
        state.conversationId = conversationId;
        remember();
      }
      renderInboxes();
      renderConversations();
      renderThreadControls();
      renderMessages(messages, notes);
      showLoadError(null);
      if (window.helpdeskComposer) window.helpdeskComposer.refreshed(conversationId);
    } catch (error) {
      if (generation === state.generation) showLoadError(error);
    }
  }

  function showLoading(listId) {
    byId(listId).replaceChildren(el('li', { className: 'empty', text: 'Loading…' }));
  }

  function selectInbox(id) {
    state.inboxId = id;
    state.conversationId = null;
    state.conversations = [];
    state.messagesKey = '';
    remember();
    renderInboxes();
    renderThreadControls();
    showLoading('conversations');
    renderMessages(null);
    refresh();
  }

  function selectConversation(id) {
    // Opening it reads the customer's messages: the unread count goes.
    api('POST', '/api/conversations/' + encodeURIComponent(id) + '/seen').catch(function () {});
    state.conversationId = id;
    state.messagesKey = '';
    byId('reply-error').textContent = '';
    // Tell the composer now, not when the messages arrive: a file attached in between would
    // otherwise be dropped as belonging to the previous conversation.
    if (window.helpdeskComposer) window.helpdeskComposer.refreshed(id);
    remember();
    renderConversations();
    renderThreadControls();
    showLoading('messages');
    refresh();
  }

  async function reopenConversation() {
    var button = byId('reopen');
    button.disabled = true;
    try {
      await api('POST', '/api/conversations/' + encodeURIComponent(state.conversationId) + '/reopen');
    } catch (e) {
      byId('reply-error').textContent = e.message;
    } finally {
      button.disabled = false;
    }
    await refresh();
  }

  async function resolveConversation() {
    var button = byId('resolve');
    button.disabled = true;
    try {
      await api('POST', '/api/conversations/' + encodeURIComponent(state.conversationId) + '/resolve');
    } catch (e) {
      byId('reply-error').textContent = e.message;
    } finally {
      button.disabled = false;
    }
    await refresh();
  }

  var started = false;

  function showSignIn() {
    state.user = null;
    byId('sign-in').hidden = false;
    byId('workspace').hidden = true;
    byId('account').hidden = true;
    byId('views-nav').hidden = true;
    if (window.helpdeskViews) window.helpdeskViews.hideAll();
    showLoadError(null);
  }

  function showWorkspace(user) {
    state.user = user;
    byId('sign-in').hidden = true;
    byId('workspace').hidden = false;
    byId('account').hidden = false;
    byId('views-nav').hidden = false;
    if (window.helpdeskViews) window.helpdeskViews.show();
    byId('who').textContent = user.name + ' (' + user.role + ')';
    byId('connect').hidden = user.role !== 'admin';
    if (!started) {
      started = true;
      refresh();
      setInterval(function () { if (!document.hidden && !byId('workspace').hidden) refresh(); }, POLL_MS);
    } else {
      refresh();
    }
  }

  async function signIn(event) {
    event.preventDefault();
    var button = byId('sign-in-submit');
    button.disabled = true;
    byId('sign-in-error').textContent = '';
    try {
      var user = await api('POST', '/api/session', {
        email: byId('sign-in-email').value,
        password: byId('sign-in-password').value
      });
      byId('sign-in-password').value = '';
      showWorkspace(user);
    } catch (e) {
      byId('sign-in-error').textContent = e.message;
    } finally {
      button.disabled = false;
    }
  }

  async function signOut() {
    try { await api('DELETE', '/api/session'); } catch (e) { /* signed out either way */ }
    showSignIn();
  }

  // What the composer module needs from the page: the open conversation, and a way to reload.
  window.helpdeskPage = {
    conversationId: function () { return state.conversationId; },
    refresh: refresh,
    /** Paints the messages again even when nothing changed (decorations were added). */
    repaint: function () { state.messagesKey = ''; return refresh(); },
    // For the other sections (views.js): who is signed in, the inboxes, and the page's helpers.
    user: function () { return state.user; },
    inboxes: function () { return state.inboxes; },
    api: api,
    el: el,
    avatar: avatar,
    safeUrl: safeUrl,
    formatTime: formatTime
  };

  function start() {
    var query = new URLSearchParams(location.search);
    var hash = new URLSearchParams(location.hash.slice(1));
    // Coming back from TikTok: open the inbox that was just connected.
    state.inboxId = query.get('inbox_id') || hash.get('inbox');
    state.conversationId = query.get('inbox_id') ? null : hash.get('conversation');
    if (query.has('tiktok_status')) {
      // The banner is already on the page; a reload should not announce the outcome again.
      history.replaceState(null, '', location.pathname);
    }
    remember();

    var close = byId('connect-banner-close');
    if (close) close.addEventListener('click', function () { byId('connect-banner').remove(); });
    // Writing and sending replies belongs to the composer module (composer.js).
    byId('resolve').addEventListener('click', resolveConversation);
    byId('reopen').addEventListener('click', reopenConversation);

    byId('sign-in').addEventListener('submit', signIn);
    byId('sign-out').addEventListener('click', signOut);
    api('GET', '/api/session').then(function (session) {
      if (session && session.user) showWorkspace(session.user);
      else showSignIn();
    }, showSignIn);
  }

  start();
})();
`;
