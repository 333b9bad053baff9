/**
 * The page's other sections, served as /assets/views.js: inbox settings, automation rules,
 * satisfaction report, diagnostics and the team. Plain browser JavaScript, like helpdesk.js, whose
 * helpers (`api`, `el`) it uses through `window.helpdeskPage`. User content goes into the DOM as
 * text only.
 */
export const VIEWS_SCRIPT = `'use strict';
(function () {
  var VIEWS = ['inbox', 'automation', 'csat', 'diagnostics', 'team'];
  var VERDICT_TEXT = { ok: 'OK', warn: 'Warning', fail: 'Failing' };
  var KIND_TEXT = { auto_reply: 'Auto-reply to the first message', csat: 'Satisfaction survey when resolved' };
  var TRIGGER_OF_KIND = { auto_reply: 'first_message', csat: 'conversation_resolved' };
  var CHANNEL_STATUS_TEXT = { active: 'Connected', reauthorization_required: 'Needs reconnecting', disconnected: 'Disconnected' };

  function page() { return window.helpdeskPage; }
  function byId(id) { return document.getElementById(id); }
  function el(tag, props, children) { return page().el(tag, props, children); }
  function api(method, path, body) { return page().api(method, path, body); }
  function isAdmin() { var user = page().user(); return Boolean(user && user.role === 'admin'); }

  function hashParams() { return new URLSearchParams(location.hash.slice(1)); }

  function currentView() {
    var view = hashParams().get('view');
    return VIEWS.indexOf(view) === -1 ? 'conversations' : view;
  }

  function hideAll() {
    VIEWS.forEach(function (view) { byId('view-' + view).hidden = true; });
  }

  /** Shows the section the address names; the conversations are the default. */
  function show() {
    if (!page() || !page().user()) return;
    var view = currentView();
    hideAll();
    byId('workspace').hidden = view !== 'conversations';
    document.querySelectorAll('#views-nav a').forEach(function (link) {
      var here = link.getAttribute('data-view') === view || (view === 'inbox' && link.getAttribute('data-view') === 'conversations');
      if (here) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    });
    if (view === 'conversations') { page().refresh(); return; }
    byId('view-' + view).hidden = false;
    LOADERS[view]();
  }

  function failed(id) {
    return function (error) { byId(id).textContent = error.message; };
  }

  function clearError(id) { byId(id).textContent = ''; }

  function formatDate(iso) { return iso ? new Date(iso).toLocaleString() : 'unknown'; }

  // ---- inbox settings -------------------------------------------------------------------------

  async function loadInbox() {
    clearError('inbox-settings-error');
    var id = hashParams().get('inbox');
    var box = byId('inbox-settings');
    try {
      var inbox = await api('GET', '/api/inboxes/' + encodeURIComponent(id || ''));
      renderInbox(inbox);
    } catch (e) {
      box.replaceChildren();
      failed('inbox-settings-error')(e);
    }
  }

  function row(label, value) {
    return el('div', { className: 'setting-row' }, [el('dt', { text: label }), el('dd', {}, [value])]);
  }

  function renderInbox(inbox) {
    var box = byId('inbox-settings');
    var channel = inbox.channel;
    var handle = channel.username ? '@' + channel.username : 'its TikTok account';
    var admin = isAdmin();

    var nameInput = el('input', { id: 'inbox-name', value: inbox.name, maxlength: '100', disabled: !admin });
    var rename = el('form', { className: 'inline-form', id: 'inbox-rename' }, [
      el('label', { for: 'inbox-name', text: 'Inbox name' }), nameInput,
      admin ? el('button', { type: 'submit', className: 'button', text: 'Rename' }) : null
    ]);
    rename.addEventListener('submit', async function (event) {
      event.preventDefault();
      clearError('inbox-settings-error');
      try {
        renderInbox(await api('PATCH', '/api/inboxes/' + encodeURIComponent(inbox.id), { name: nameInput.value }));
        byId('inbox-settings-status').textContent = 'Renamed.';
      } catch (e) { failed('inbox-settings-error')(e); }
    });

    var refreshButton = el('button', { type: 'button', className: 'button button-quiet', id: 'inbox-profile-refresh',
      text: 'Refresh profile', disabled: channel.status !== 'active' });
    refreshButton.addEventListener('click', async function () {
      clearError('inbox-settings-error');
      refreshButton.disabled = true;
      try {
        renderInbox(await api('POST', '/api/inboxes/' + encodeURIComponent(inbox.id) + '/profile/refresh'));
        byId('inbox-settings-status').textContent = 'Profile refreshed from TikTok.';
      } catch (e) {
        refreshButton.disabled = false;
        failed('inbox-settings-error')(e);
      }
    });

    var profile = el('div', { className: 'profile' }, [
      page().avatar(channel.profileImageUrl, channel.displayName || inbox.name),
      el('div', { className: 'profile-text' }, [
        el('p', { className: 'profile-name', text: channel.displayName || inbox.name }),
        el('p', { className: 'item-sub', text: channel.username ? '@' + channel.username : '' }),
        el('p', { className: 'item-sub', text: channel.profileRefreshedAt
          ? 'Profile refreshed ' + formatDate(channel.profileRefreshedAt) : 'Profile as of the connection' })
      ]),
      refreshButton
    ]);

    var details = el('dl', { className: 'settings-list' }, [
      row('Status', el('span', { className: 'badge badge-' + channel.status, id: 'inbox-status',
        text: CHANNEL_STATUS_TEXT[channel.status] || channel.status })),
      row('Access token expires', el('span', { id: 'inbox-access-expiry', text: formatDate(channel.accessTokenExpiresAt) })),
      row('Refresh token expires', el('span', { id: 'inbox-refresh-expiry', text: formatDate(channel.refreshTokenExpiresAt) })),
      row('TikTok business id', el('span', { text: channel.businessId || 'none' }))
    ]);

    var connection = el('div', { className: 'connection' }, [
      el('p', { className: 'view-note', id: 'inbox-reconnect-hint',
        text: 'To reconnect, sign in to TikTok as ' + handle + ': another account would be refused for this inbox.' }),
      admin ? el('a', { className: 'button button-tiktok', id: 'inbox-reconnect',
        href: '/tiktok/oauth/authorize?inboxId=' + encodeURIComponent(inbox.id), text: 'Reconnect as ' + handle }) : null,
      admin && channel.status !== 'disconnected' ? disconnectButton(inbox) : null
    ]);

    box.replaceChildren(el('p', { className: 'view-note', id: 'inbox-settings-status', role: 'status' }),
      profile, rename, details, connection);
  }

  function disconnectButton(inbox) {
    var button = el('button', { type: 'button', className: 'button button-danger', id: 'inbox-disconnect', text: 'Disconnect' });
    button.addEventListener('click', async function () {
      if (!window.confirm('Disconnect ' + inbox.name + '? TikTok’s authorization is revoked; the conversations stay.')) return;
      clearError('inbox-settings-error');
      button.disabled = true;
      try {
        var result = await api('POST', '/api/inboxes/' + encodeURIComponent(inbox.id) + '/disconnect');
        renderInbox(result.inbox);
        byId('inbox-settings-status').textContent = result.revocation === 'failed'
          ? 'Disconnected, but TikTok could not be reached to revoke the authorization: remove the app in TikTok’s settings.'
          : 'Disconnected. TikTok’s authorization was revoked.';
      } catch (e) {
        button.disabled = false;
        failed('inbox-settings-error')(e);
      }
    });
    return button;
  }

  // ---- automation -----------------------------------------------------------------------------

  async function loadAutomation() {
    clearError('automation-error');
    // Busy while loading: what an admin types into a list about to be replaced would be lost.
    byId('rules').setAttribute('aria-busy', 'true');
    try {
      var rules = await api('GET', '/api/automation-rules');
      var inboxes = await api('GET', '/api/inboxes');
      renderRules(rules, inboxes);
    } catch (e) { failed('automation-error')(e); } finally {
      byId('rules').setAttribute('aria-busy', 'false');
    }
  }

  function inboxOptions(select, inboxes, selected) {
    select.replaceChildren(el('option', { value: '', text: 'Every inbox' }));
    inboxes.forEach(function (inbox) {
      select.appendChild(el('option', { value: inbox.id, text: inbox.name, selected: inbox.id === selected }));
    });
  }

  function renderRules(rules, inboxes) {
    var admin = isAdmin();
    inboxOptions(byId('rule-inbox'), inboxes, null);
    byId('rule-form').hidden = !admin;
    var list = byId('rules');
    list.replaceChildren();
    if (rules.length === 0) list.appendChild(el('li', { className: 'empty', text: 'No rules yet.' }));
    rules.forEach(function (rule) {
      var content = el('textarea', { className: 'rule-content', rows: '2', 'aria-label': 'Message of the rule', disabled: !admin });
      content.value = rule.content;
      var inbox = inboxes.find(function (i) { return i.id === rule.inboxId; });
      var save = el('button', { type: 'button', className: 'button button-quiet', text: 'Save' });
      var toggle = el('button', { type: 'button', className: 'button button-quiet', text: rule.enabled ? 'Disable' : 'Enable' });
      var remove = el('button', { type: 'button', className: 'button button-quiet', text: 'Delete' });
      save.addEventListener('click', function () { change(rule, 'PATCH', { content: content.value }); });
      toggle.addEventListener('click', function () { change(rule, 'PATCH', { enabled: !rule.enabled }); });
      remove.addEventListener('click', function () { change(rule, 'DELETE'); });
      list.appendChild(el('li', { className: 'rule' + (rule.enabled ? '' : ' rule-disabled'), 'data-rule-id': rule.id }, [
        el('p', { className: 'rule-title' }, [
          el('span', { text: KIND_TEXT[rule.kind] || rule.kind }),
          el('span', { className: 'item-sub', text: ' · ' + (inbox ? inbox.name : 'every inbox') }),
          el('span', { className: 'badge ' + (rule.enabled ? 'badge-active' : 'badge-disabled'), text: rule.enabled ? 'Enabled' : 'Disabled' })
        ]),
        content,
        admin ? el('div', { className: 'rule-actions' }, [save, toggle, remove]) : null
      ]));
    });
  }

  async function change(rule, method, body) {
    clearError('automation-error');
    try {
      await api(method, '/api/automation-rules/' + encodeURIComponent(rule.id), body);
      await loadAutomation();
    } catch (e) { failed('automation-error')(e); }
  }

  async function createRule(event) {
    event.preventDefault();
    clearError('automation-error');
    var kind = byId('rule-kind').value;
    var body = { kind: kind, trigger: TRIGGER_OF_KIND[kind], content: byId('rule-content').value };
    if (byId('rule-inbox').value) body.inboxId = byId('rule-inbox').value;
    try {
      await api('POST', '/api/automation-rules', body);
      byId('rule-content').value = '';
      await loadAutomation();
    } catch (e) { failed('automation-error')(e); }
  }

  // ---- satisfaction ---------------------------------------------------------------------------

  async function loadCsat() {
    clearError('csat-error');
    try {
      var report = await api('GET', '/api/csat-report');
      var body = byId('csat-report').querySelector('tbody');
      body.replaceChildren();
      report.forEach(function (line) {
        body.appendChild(el('tr', { 'data-inbox-id': line.inboxId }, [
          el('th', { scope: 'row', text: line.inboxName }),
          el('td', { className: 'csat-responses', text: String(line.responses) }),
          el('td', { className: 'csat-average', text: line.average === null ? '—' : line.average.toFixed(2) + ' / 5' }),
          el('td', { className: 'csat-distribution', text: line.distribution.join(' · ') }),
          el('td', { text: String(line.awaiting) })
        ]));
      });
      if (report.length === 0) body.appendChild(el('tr', {}, [el('td', { colspan: '5', className: 'empty', text: 'No inboxes yet.' })]));
    } catch (e) { failed('csat-error')(e); }
  }

  // ---- diagnostics ----------------------------------------------------------------------------

  async function loadDiagnostics() {
    clearError('diagnostics-error');
    var button = byId('diagnostics-run');
    button.disabled = true;
    byId('diagnostics-summary').textContent = 'Running the checks…';
    try {
      var report = await api('GET', '/api/diagnostics');
      var failing = report.checks.filter(function (c) { return c.verdict !== 'ok'; }).length;
      byId('diagnostics-summary').textContent = (failing === 0 ? 'Every check passes.'
        : failing + ' check' + (failing === 1 ? ' needs' : 's need') + ' attention.') + ' Checked ' + formatDate(report.checkedAt) + '.';
      var list = byId('checks');
      list.replaceChildren();
      // The problems first, in the report's order otherwise.
      report.checks.slice().sort(function (a, b) { return rank(b.verdict) - rank(a.verdict); }).forEach(function (check) {
        list.appendChild(el('li', { className: 'check check-' + check.verdict, 'data-check-id': check.id }, [
          el('p', { className: 'check-title' }, [
            el('span', { className: 'badge badge-verdict-' + check.verdict, text: VERDICT_TEXT[check.verdict] || check.verdict }),
            el('span', { text: check.title + (check.account ? ' · @' + check.account.username : '') })
          ]),
          el('p', { className: 'check-summary', text: check.summary }),
          check.fix ? el('p', { className: 'check-fix', text: 'Fix: ' + check.fix }) : null
        ]));
      });
    } catch (e) {
      byId('diagnostics-summary').textContent = '';
      failed('diagnostics-error')(e);
    } finally {
      button.disabled = false;
    }
  }

  function rank(verdict) { return verdict === 'fail' ? 2 : verdict === 'warn' ? 1 : 0; }

  // ---- team -----------------------------------------------------------------------------------

  async function loadTeam() {
    clearError('team-error');
    byId('agent-form').hidden = !isAdmin();
    try {
      var users = await api('GET', '/api/agents');
      var list = byId('team');
      list.replaceChildren();
      users.forEach(function (user) {
        list.appendChild(el('li', { className: 'rule' }, [
          el('p', { className: 'rule-title' }, [
            el('span', { text: user.name }),
            el('span', { className: 'item-sub', text: ' · ' + user.email }),
            el('span', { className: 'badge', text: user.role === 'admin' ? 'Admin' : 'Agent' })
          ]),
          isAdmin() && user.role === 'agent'
            ? el('button', { className: 'button button-quiet', type: 'button', text: 'Remove',
                'aria-label': 'Remove ' + user.name, onclick: function () { removeAgent(user); } })
            : null
        ]));
      });
    } catch (e) { failed('team-error')(e); }
  }

  async function createAgent(event) {
    event.preventDefault();
    clearError('team-error');
    try {
      await api('POST', '/api/agents', {
        name: byId('agent-name').value, email: byId('agent-email').value, password: byId('agent-password').value
      });
      byId('agent-name').value = '';
      byId('agent-email').value = '';
      byId('agent-password').value = '';
      await loadTeam();
    } catch (e) { failed('team-error')(e); }
  }

  async function removeAgent(user) {
    if (!window.confirm('Remove ' + user.name + ' (' + user.email + ')? They are signed out at once; their replies keep their name.')) return;
    clearError('team-error');
    try {
      await api('DELETE', '/api/agents/' + encodeURIComponent(user.id));
      await loadTeam();
    } catch (e) { failed('team-error')(e); }
  }

  var LOADERS = { inbox: loadInbox, automation: loadAutomation, csat: loadCsat, diagnostics: loadDiagnostics, team: loadTeam };

  byId('rule-form').addEventListener('submit', createRule);
  byId('agent-form').addEventListener('submit', createAgent);
  byId('diagnostics-run').addEventListener('click', loadDiagnostics);
  window.addEventListener('hashchange', function () {
    // The conversations view rewrites the address for its selection; only a change of view counts.
    var view = currentView();
    if (view !== lastView || view === 'inbox') { lastView = view; show(); }
  });
  var lastView = currentView();

  window.helpdeskViews = { show: show, hideAll: hideAll };
  show();
})();
`;
