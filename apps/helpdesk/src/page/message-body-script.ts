/**
 * How a message's body looks on the page, served as /assets/message-body.js and called by the
 * page's script for every message: the quoted message, the text, images inline, a video player,
 * stickers and emoji, share-post cards, reactions, "sent from the TikTok app", and a placeholder
 * for a TikTok type the helpdesk cannot show. Notes (which ad brought the customer, a gap in
 * TikTok's history) are placed between the messages by time.
 *
 * Plain browser JavaScript, no build step. Everything from a message goes into the DOM through
 * textContent or an attribute set with setAttribute, and a URL only after the page checked it is
 * a web (or same-origin) URL: never innerHTML.
 */
export const MESSAGE_BODY_SCRIPT = `'use strict';
(function () {
  /** The TikTok types the page knows how to show; anything else gets the placeholder. */
  var KNOWN_TYPES = ['text', 'image', 'video', 'sticker', 'emoji', 'share_post', 'template', 'reaction'];
  var SENT_FROM_TEXT = {
    tiktok_app: 'Sent from the TikTok app',
    tiktok_web: 'Sent from TikTok on the web',
    api: 'Sent by another tool',
    other: 'Sent outside the helpdesk'
  };
  var NOTE_TITLE = {
    referral: 'How the customer found you',
    history_gap: 'Messages may be missing',
    event_parked: 'A TikTok event could not be processed'
  };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === null || value === undefined || value === false) return;
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
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

  function external(url, text, className) {
    return el('a', { className: className, href: url, target: '_blank', rel: 'noopener noreferrer', text: text });
  }

  function unavailable(attachment, what) {
    var reason = attachment.unavailableReason ? ' (' + attachment.unavailableReason + ')' : '';
    return el('p', { className: 'attachment attachment-unavailable', 'data-kind': attachment.kind,
      text: what + ' could not be kept' + reason + '. Open TikTok to see it.' });
  }

  function image(attachment, url, className, alt) {
    return el('a', { className: 'attachment ' + className, 'data-kind': attachment.kind, href: url,
      target: '_blank', rel: 'noopener noreferrer' }, [el('img', { src: url, alt: alt, loading: 'lazy' })]);
  }

  function video(attachment, url) {
    var player = el('video', { controls: true, preload: 'metadata', src: url });
    player.appendChild(el('span', { text: 'This browser cannot play the video here.' }));
    return el('figure', { className: 'attachment attachment-video', 'data-kind': 'video' }, [
      player,
      el('figcaption', {}, [external(url, 'Open the video' + size(attachment))])
    ]);
  }

  function sharePost(attachment, url) {
    var title = 'Shared TikTok post';
    var children = [el('span', { className: 'card-title', text: title })];
    if (attachment.videoId) children.push(el('span', { className: 'card-sub', text: 'Video ' + attachment.videoId }));
    children.push(url ? external(url, 'Open in TikTok', 'card-link') : el('span', { className: 'card-sub', text: 'No link was given' }));
    return el('div', { className: 'attachment share-card', 'data-kind': 'share_post' }, children);
  }

  function size(attachment) {
    if (typeof attachment.size !== 'number') return '';
    var kb = attachment.size / 1024;
    return kb < 1024 ? ' (' + Math.max(1, Math.round(kb)) + ' KB)' : ' (' + (kb / 1024).toFixed(1) + ' MB)';
  }

  function attachmentNode(attachment) {
    var url = safeUrl(attachment.url);
    switch (attachment.kind) {
      case 'image':
        return url ? image(attachment, url, 'attachment-image', 'Image from the customer') : unavailable(attachment, 'The image');
      case 'sticker':
        return url ? image(attachment, url, 'attachment-sticker', 'Sticker') : unavailable(attachment, 'The sticker');
      case 'emoji':
        return url ? image(attachment, url, 'attachment-emoji', 'Emoji') : unavailable(attachment, 'The emoji');
      case 'video':
        return url ? video(attachment, url) : unavailable(attachment, 'The video');
      case 'share_post':
        return sharePost(attachment, url);
      default:
        return url
          ? el('p', { className: 'attachment', 'data-kind': attachment.kind }, [external(url, 'Attachment (' + attachment.kind + ')' + size(attachment))])
          : unavailable(attachment, 'An attachment');
    }
  }

  function quote(replyTo) {
    var text = replyTo.messageId
      ? (replyTo.content || 'a message without text')
      : 'a message this helpdesk did not receive';
    return el('blockquote', { className: 'message-quote', 'data-quoted-message-id': replyTo.messageId }, [
      el('span', { className: 'quote-label', text: 'Replying to' }),
      el('span', { className: 'quote-text', text: text })
    ]);
  }

  function reactions(list) {
    return el('ul', { className: 'reactions', 'aria-label': 'Reactions' }, list.map(function (reaction) {
      return el('li', { className: 'reaction', title: reaction.by === 'business' ? 'Reaction from you' : 'Reaction from the customer',
        'data-by': reaction.by, text: reaction.emoji });
    }));
  }

  function isUnknownType(message) {
    return typeof message.tiktokType === 'string' && KNOWN_TYPES.indexOf(message.tiktokType) === -1;
  }

  /** The nodes of a message's body, in order; the page adds its meta line and the composer's parts. */
  function render(message) {
    var nodes = [];
    if (message.replyTo) nodes.push(quote(message.replyTo));
    if (isUnknownType(message)) {
      nodes.push(el('p', { className: 'message-unknown',
        text: 'This TikTok message (' + message.tiktokType + ') cannot be shown here. Open TikTok to see it.' }));
    } else if (message.content) {
      nodes.push(el('p', { className: 'message-text', text: message.content }));
    }
    var attachments = message.attachments || [];
    if (attachments.length) nodes.push(el('div', { className: 'attachments' }, attachments.map(attachmentNode)));
    if (message.reactions && message.reactions.length) nodes.push(reactions(message.reactions));
    var marks = [];
    if (message.direction === 'outgoing' && message.sentFrom && !message.author) marks.push(SENT_FROM_TEXT[message.sentFrom] || SENT_FROM_TEXT.other);
    if (message.autoMessageType) marks.push('Automatic TikTok message (' + message.autoMessageType + ')');
    if (message.isFollower === true) marks.push('Follows you');
    if (marks.length) nodes.push(el('p', { className: 'message-origin', text: marks.join(' · ') }));
    return nodes;
  }

  function note(note) {
    var link = note.data && safeUrl(note.data.url);
    return el('li', { className: 'note note-' + note.kind, 'data-note-id': note.id }, [
      el('span', { className: 'note-title', text: NOTE_TITLE[note.kind] || 'Note' }),
      el('span', { className: 'note-text', text: note.text }),
      link ? external(link, 'Open', 'note-link') : null,
      el('span', { className: 'note-time', text: note.at ? new Date(note.at).toLocaleString() : '' })
    ]);
  }

  /**
   * Messages in the server's order, each note before the first message that came after it:
   * [{ message }, { note }, ...].
   */
  function timeline(messages, notes) {
    var pending = (notes || []).slice().sort(function (a, b) { return Date.parse(a.at) - Date.parse(b.at); });
    var items = [];
    (messages || []).forEach(function (message) {
      var at = Date.parse(message.sentAt || '');
      while (pending.length && !isNaN(at) && Date.parse(pending[0].at) <= at) items.push({ note: pending.shift() });
      items.push({ message: message });
    });
    pending.forEach(function (n) { items.push({ note: n }); });
    return items;
  }

  window.helpdeskMessageBody = { render: render, note: note, timeline: timeline };
})();
`;
