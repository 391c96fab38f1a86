/* Live pages: one socket per page, server-rendered fragments, and nothing lost offline.
   Every form still posts over plain HTTP without this script. */
(function () {
  "use strict";

  var region = document.getElementById("live-region");
  if (!region) return;

  var statusLine = document.querySelector("[data-live-status]");
  var announcer = document.querySelector("[data-announcer]");
  var outboxKey = region.getAttribute("data-outbox");
  var socket = null;
  var retries = 0;
  var reconnectTimer = null;
  // The last frame's sequence number, and when the socket was last heard (live/sockets.py).
  var lastSeq = null;
  var lastHeard = 0;
  // The server beats every 3 s (live/sockets.py): this long without a word (two beats
  // missed), the connection is dead, and the phone says so within 10 s.
  var DEAD_AFTER = 7000;
  var OFFLINE = "You\u2019re offline \u2014 this is saved on your phone and will be sent when you\u2019re back";
  var newPosts = 0;
  var announceTimer = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  /* Fragments pushed over the socket are rendered once for everyone, so they carry no
     CSRF token: each page adds its own, and lets htmx wire up any hx- attributes. */
  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    var node = t.content.firstElementChild;
    node.querySelectorAll("form[method=post]").forEach(function (form) {
      if (form.elements.csrfmiddlewaretoken) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = csrfToken();
      form.appendChild(input);
    });
    return node;
  }

  function activate(node) {
    if (window.htmx && node && node.isConnected) htmx.process(node);
  }

  /* Swapping in new HTML must not throw away a keyboard user's place. */
  function focusedIn(container) {
    var el = document.activeElement;
    if (!el || el === document.body || !container.contains(el)) return null;
    var form = el.form;
    return {
      id: el.id, name: el.getAttribute("name"), value: el.getAttribute("value"),
      prompt: form && form.elements.prompt ? form.elements.prompt.value : null,
      start: el.selectionStart, end: el.selectionEnd,
      // Where to go should the element go with the redraw (an Undo no longer offered).
      after: el.closest("[data-focus-after]") && el.closest("[data-focus-after]").getAttribute("data-focus-after"),
    };
  }

  function refocus(root, place) {
    if (!place) return;
    var target = null;
    if (place.prompt && place.name === "text") {
      var input = root.querySelector('form[data-live-post] input[name=prompt][value="' + place.prompt + '"]');
      target = input && input.form.elements.text;
    }
    if (!target && place.id) target = document.getElementById(place.id);
    if (!target && place.after) target = document.getElementById(place.after);
    if (!target && place.name) {
      var selector = '[name="' + place.name + '"]' + (place.value ? '[value="' + place.value + '"]' : "");
      target = root.querySelector(selector);
    }
    if (!target) {
      target = root;
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    if (place.start != null && target.setSelectionRange) {
      try { target.setSelectionRange(place.start, place.end); } catch (e) { /* not a text field */ }
    }
  }

  /* The server's new copy of an element comes without what this page added to it (an Undo
     offered for a few seconds) or opened in it: both are kept, an addition only while the new
     copy still matches its data-keep selector (an Undo for hiding goes once the post is shown
     again, whichever page showed it). */
  function keepAdditions(old, node) {
    // Each in its old place among the element's children, so the Tab order stays the same.
    old.querySelectorAll(":scope > [data-keep]").forEach(function (kept) {
      var onlyWhile = kept.getAttribute("data-keep");
      if (onlyWhile && !node.matches(onlyWhile)) return;
      var place = Array.prototype.indexOf.call(old.children, kept);
      node.insertBefore(kept, node.children[place] || null);
    });
    old.querySelectorAll("details[open][id]").forEach(function (open) {
      var same = node.querySelector("#" + CSS.escape(open.id));
      if (same) same.open = true;
    });
  }

  function replaceKeepingFocus(old, node) {
    var place = focusedIn(old);
    keepAdditions(old, node);
    old.replaceWith(node);
    activate(node);
    refocus(node, place);
  }

  /* Text put in a box by the page, told to the character count as typing would be. */
  function setText(box, text) {
    box.value = text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function showStatus(text) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.hidden = !text;
  }

  /* ---- Outbox: posts wait here (and in localStorage) until the server answers. ---- */
  function loadOutbox() {
    if (!outboxKey) return [];
    try { return JSON.parse(localStorage.getItem(outboxKey)) || []; } catch (e) { return []; }
  }
  function saveOutbox(items) {
    if (!outboxKey) return;
    try { localStorage.setItem(outboxKey, JSON.stringify(items)); } catch (e) { /* private mode */ }
  }
  function dropFromOutbox(clientId) {
    saveOutbox(loadOutbox().filter(function (item) { return item.client_id !== clientId; }));
  }

  /* ---- Applying the server's operations. ---- */
  function matchesFilter(container, node) {
    var group = container.getAttribute("data-filter-group");
    var table = container.getAttribute("data-filter-table");
    if (group && node.getAttribute("data-group") !== group) return false;
    if (table && node.getAttribute("data-table") !== table) return false;
    return true;
  }

  function upsert(op) {
    var node = fragment(op.html);
    var existing = document.getElementById(op.id);
    var container = document.getElementById(op.into);
    if (existing) {
      // Your own post keeps the copy that says it is yours.
      if (existing.classList.contains("mine")) return;
      // A form in it is waiting for its answer, which will redraw it: replacing it first
      // would leave that answer nowhere to go (its Undo and message lost). Apply this after.
      var waiting = existing.querySelector(".htmx-request");
      if (waiting) {
        waiting.addEventListener("htmx:afterRequest", function () { upsert(op); }, { once: true });
        return;
      }
      if (container && existing.parentNode !== container) {
        // Moving between lists (say, from the approval queue to the feed).
        var place = focusedIn(existing);
        keepAdditions(existing, node);
        existing.remove();
        container.insertBefore(node, container.firstChild);
        activate(node);
        refocus(node, place);
      } else {
        replaceKeepingFocus(existing, node);
      }
      return;
    }
    if (!container || !matchesFilter(container, node)) return;
    var empty = container.querySelector(".empty");
    if (empty) empty.remove();
    container.insertBefore(node, container.firstChild);
    activate(node);
    announceNewPost();
  }

  function apply(op) {
    if (op.op === "upsert") upsert(op);
    else if (op.op === "replace") {
      var target = document.getElementById(op.id);
      if (target) replaceKeepingFocus(target, fragment(op.html));
    } else if (op.op === "remove") {
      var gone = document.getElementById(op.id);
      if (gone && !(op.keep_mine && gone.classList.contains("mine"))) gone.remove();
    } else if (op.op === "resync") resync();
  }

  function announceNewPost() {
    if (!announcer) return;
    newPosts += 1;
    if (announceTimer) return;
    // One polite announcement for a burst, never one per post.
    announceTimer = setTimeout(function () {
      announcer.textContent = newPosts === 1 ? "1 new post." : newPosts + " new posts.";
      newPosts = 0;
      announceTimer = null;
    }, 3000);
  }

  /* ---- Re-sync: fetch the live region afresh, keeping whatever is being typed. ---- */
  function typedText() {
    var kept = {};
    region.querySelectorAll("form[data-live-post]").forEach(function (form) {
      kept[form.elements.prompt.value] = form.elements.text.value;
    });
    return kept;
  }

  function resync() {
    return fetch(location.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var kept = typedText();
        var place = focusedIn(region);
        region.innerHTML = html;
        activate(region);
        region.querySelectorAll("form[data-live-post]").forEach(function (form) {
          var text = kept[form.elements.prompt.value];
          if (text) setText(form.elements.text, text);
        });
        refocus(region, place);
        showQueued();
        showDrafts();
        tick();
      })
      .catch(function () { /* offline: the next reconnect tries again */ });
  }

  /* ---- Sequence numbers: a frame that skips one means something was missed. ---- */
  function missedSomething(message) {
    if (typeof message.seq !== "number") return false;
    // A heartbeat repeats the last number (count 0); a frame ends on its highest one.
    var missed = lastSeq !== null && message.seq - (message.count || 0) !== lastSeq;
    // Not the highest seen: numbers may start again (the cache was emptied), and frames from
    // two processes may swap places, which costs one re-sync too many, nothing worse.
    lastSeq = message.seq;
    return missed;
  }

  /* ---- The socket. ---- */
  function connect() {
    reconnectTimer = null;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + region.getAttribute("data-live-socket"));
    lastSeq = null;
    lastHeard = Date.now();
    socket.onopen = function () {
      retries = 0;
      lastHeard = Date.now();
      showStatus("");
      resync().then(function () { region.setAttribute("data-live", "ready"); });
      loadOutbox().forEach(sendPost);
    };
    socket.onmessage = function (event) {
      var message;
      lastHeard = Date.now();
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (missedSomething(message)) resync();
      if (message.heartbeat) return;
      if (message.events) {
        message.events.forEach(apply);
        showDrafts();
      } else if (message.type === "ack" || message.type === "error") {
        answered(message);
      }
    };
    socket.onclose = function (event) { closed(event.code); };
  }

  function closed(code) {
    socket = null;
    region.setAttribute("data-live", "offline");
    if (code === 4403 || code === 4404) {
      showStatus("Live updates are off for this page. Reload it to try again.");
      return;
    }
    showOffline();
    // Back off up to 30 s, with jitter so a room of phones does not reconnect at once.
    var delay = Math.min(30000, 1000 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  /* A socket can die without closing (the wifi dropped, the server vanished): no
     heartbeat, or the browser saying it is offline, gives it up at once. */
  function giveUp() {
    if (!socket) return;
    var dead = socket;
    dead.onclose = dead.onmessage = dead.onopen = null;
    try { dead.close(); } catch (e) { /* already closing */ }
    closed(1006);
  }

  function reconnectNow() {
    if (socket) return;
    clearTimeout(reconnectTimer);
    retries = 0;
    connect();
  }

  setInterval(function () {
    if (socket && Date.now() - lastHeard > DEAD_AFTER) giveUp();
  }, 1000);
  window.addEventListener("offline", giveUp);
  window.addEventListener("online", reconnectNow);

  function showOffline() {
    if (!outboxKey) {
      showStatus("Live updates are paused. Reconnecting\u2026");
      return;
    }
    showStatus(OFFLINE);
    region.querySelectorAll(".contribution.queued .hint").forEach(function (hint) {
      hint.textContent = "Saved on your phone. It will be sent when you\u2019re back.";
    });
  }

  function socketOpen() { return socket && socket.readyState === WebSocket.OPEN; }

  /* ---- Posting. ---- */
  function formFor(promptId) {
    return region.querySelector('form[data-live-post] input[name=prompt][value="' + promptId + '"]');
  }

  function setFormStatus(promptId, text, isError) {
    var input = formFor(promptId);
    if (!input) return;
    var status = input.form.querySelector(".form-status");
    status.textContent = text;
    status.classList.toggle("error", !!isError);
    status.setAttribute("role", isError ? "alert" : "status");
    var box = input.form.elements.text;
    box.setAttribute("aria-invalid", isError ? "true" : "false");
    // The limit's hint stays described; an error is added to it.
    var info = box.id + "-info";
    box.setAttribute("aria-describedby", isError ? info + " " + status.id : info);
  }

  function queuedNode(item) {
    var li = document.createElement("li");
    li.className = "contribution queued mine";
    li.id = "queued-" + item.client_id;
    var p = document.createElement("p");
    p.className = "contribution-text";
    p.textContent = item.text;
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = socketOpen() ? "Sending…" : "Saved on your phone. It will be sent when you\u2019re back.";
    li.appendChild(p);
    li.appendChild(hint);
    return li;
  }

  function showQueued() {
    loadOutbox().forEach(function (item) {
      var feed = document.getElementById("feed-" + item.prompt);
      if (feed && !document.getElementById("queued-" + item.client_id)) {
        feed.insertBefore(queuedNode(item), feed.firstChild);
      }
    });
  }

  function sendPost(item) {
    if (socketOpen()) {
      socket.send(JSON.stringify({ type: "contribute", prompt: item.prompt, text: item.text, client_id: item.client_id }));
    } else {
      postOverHttp(item);
    }
  }

  function postOverHttp(item) {
    var body = new FormData();
    body.append("prompt", item.prompt);
    body.append("text", item.text);
    body.append("client_id", item.client_id);
    var input = formFor(item.prompt);
    var url = input ? input.form.action : location.pathname + "post/";
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() } })
      .then(function (response) {
        if (response.status === 429 || response.status >= 500) throw new Error("retry later");
        return response.text().then(function (html) {
          dropFromOutbox(item.client_id);
          var section = document.getElementById("prompt-" + item.prompt);
          if (section) replaceKeepingFocus(section, fragment(html));
          showQueued();
        });
      })
      .catch(function () {
        setFormStatus(item.prompt, OFFLINE);
        showOffline();
      });
  }

  region.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-live-post]")) {
      event.preventDefault();
      var item = { prompt: form.elements.prompt.value, text: form.elements.text.value, client_id: form.elements.client_id.value };
      if (!item.text.trim()) {
        setFormStatus(item.prompt, "Please write something before you send it.", true);
        return;
      }
      // Never sent, so never lost in the outbox: the server would refuse it (its words are
      // these), and the socket refuses a frame this long unread.
      var limit = Number(form.elements.text.getAttribute("data-maxlength"));
      var length = Array.from(item.text).length;
      if (limit && length > limit) {
        setFormStatus(item.prompt, "Please keep it to " + limit.toLocaleString("en-GB") +
          " characters or fewer (you have " + length.toLocaleString("en-GB") + ").", true);
        return;
      }
      saveOutbox(loadOutbox().concat([item]));
      setText(form.elements.text, "");
      form.elements.client_id.value = newId();
      setFormStatus(item.prompt, socket ? "Sending…" : OFFLINE);
      showQueued();
      sendPost(item);
    } else if (form.matches("form[data-live-vote]")) {
      event.preventDefault();
      var choice = event.submitter ? event.submitter.value : "";
      vote(form, choice);
    } else if (form.matches("form[data-live-withdraw]") && socketOpen()) {
      // With no socket the form posts, and the page comes back with its Undo.
      event.preventDefault();
      socket.send(JSON.stringify({ type: "withdraw", contribution: Number(form.getAttribute("data-live-withdraw")) }));
    }
  });

  /* ---- Withdrawing a post, with 10 seconds to undo it. ---- */
  var notices = document.getElementById("withdrawn-notices");
  var undoing = {};
  var UNDO_MS = 10000;

  function expireNotice(notice, after) {
    setTimeout(function () {
      if (!notice.isConnected) return;
      var hadFocus = notice.contains(document.activeElement);
      notice.remove();
      if (hadFocus) focusHeading();
    }, after);
  }

  function focusHeading() {
    var heading = document.querySelector("h1");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function withdrawn(message) {
    var li = document.getElementById("contribution-" + message.contribution);
    if (li) li.remove();
    var notice = fragment(message.html);
    notices.replaceChildren(notice);
    notice.querySelector("button").focus();
    expireNotice(notice, UNDO_MS);
  }

  function restored(message) {
    delete undoing[message.contribution];
    var mine = fragment(message.html);
    var existing = document.getElementById("contribution-" + message.contribution);
    var feed = document.getElementById("feed-" + message.prompt) ||
      document.getElementById("closed-feed-" + message.prompt);
    if (existing) existing.replaceWith(mine);
    else if (feed) {
      var empty = feed.querySelector(".empty");
      if (empty) empty.remove();
      feed.insertBefore(mine, feed.firstChild);
    }
    activate(mine);
    var back = document.createElement("p");
    back.textContent = "Your post is back.";
    notices.replaceChildren(back);
    expireNotice(back, 5000);
    var summary = mine.querySelector("summary");
    if (summary) summary.focus();
  }

  function undoFailed(message) {
    delete undoing[message.contribution];
    var notice = document.getElementById("withdrawn-" + message.contribution);
    if (!notice) return;
    var error = notice.querySelector(".error") || notice.appendChild(document.createElement("p"));
    error.className = "error";
    error.setAttribute("role", "alert");
    error.textContent = message.message;
  }

  if (notices) {
    notices.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("form[data-live-undo]") || !socketOpen()) return;
      event.preventDefault();
      var id = Number(form.getAttribute("data-live-undo"));
      undoing[id] = true;
      socket.send(JSON.stringify({ type: "undo_withdraw", contribution: id }));
    });
    // A notice the page came with (it was withdrawn without the script) goes in time too.
    notices.querySelectorAll("[data-withdrawn]").forEach(function (notice) {
      expireNotice(notice, UNDO_MS);
    });
  }

  function vote(form, choice) {
    var id = form.getAttribute("data-live-vote");
    if (socketOpen()) {
      socket.send(JSON.stringify({ type: "vote", contribution: Number(id), choice: choice }));
      return;
    }
    var body = new FormData();
    body.append("choice", choice);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var li = document.getElementById("contribution-" + id);
        if (li && html.trim()) replaceKeepingFocus(li, fragment(html));
      })
      .catch(function () { voteError(id, "You seem to be offline. Please try again in a moment."); });
  }

  function voteError(id, text) {
    var li = document.getElementById("contribution-" + id);
    if (!li) return;
    var error = li.querySelector(".error") || li.appendChild(document.createElement("p"));
    error.className = "error";
    error.setAttribute("role", "alert");
    error.textContent = text;
  }

  function answered(message) {
    if (message.action === "withdraw") withdrawn(message);
    else if (message.action === "undo_withdraw") restored(message);
    else if (message.type === "error" && undoing[message.contribution]) undoFailed(message);
    else if (message.client_id !== undefined) {
      var item = loadOutbox().filter(function (i) { return i.client_id === message.client_id; })[0];
      dropFromOutbox(message.client_id);
      var queued = document.getElementById("queued-" + message.client_id);
      var promptId = message.prompt || (item && item.prompt);
      if (message.type === "ack") {
        var mine = fragment(message.html);
        mine.classList.add("mine");
        var existing = document.getElementById("contribution-" + message.id);
        if (queued) replaceKeepingFocus(queued, mine);
        else if (!existing) {
          var feed = document.getElementById("feed-" + promptId);
          if (feed) feed.insertBefore(mine, feed.firstChild);
        }
        if (queued && existing) existing.remove();
        setFormStatus(promptId, message.state === "pending"
          ? "Thank you. Your post will show once the facilitator approves it."
          : "Thank you. Your post has been sent.");
      } else {
        if (queued) queued.remove();
        var input = item && formFor(item.prompt);
        if (input && !input.form.elements.text.value) setText(input.form.elements.text, item.text);
        setFormStatus(promptId, message.message, true);
      }
    } else if (message.contribution !== undefined) {
      if (message.type === "ack") {
        var li = document.getElementById("contribution-" + message.contribution);
        if (li) replaceKeepingFocus(li, fragment(message.html));
      } else {
        voteError(message.contribution, message.message);
      }
    }
  }

  /* ---- Unsent text stays on the phone until it is sent: a question or the workshop
     closing mid-sentence loses nothing, and it is offered back. ---- */
  var drafts = document.getElementById("unsent-drafts");
  var draftsKey = drafts && drafts.getAttribute("data-drafts");

  function loadDrafts() {
    try { return JSON.parse(localStorage.getItem(draftsKey)) || {}; } catch (e) { return {}; }
  }
  function saveDrafts(all) {
    try { localStorage.setItem(draftsKey, JSON.stringify(all)); } catch (e) { /* private mode */ }
  }

  function keepDraft(event) {
    var box = event.target;
    if (!box.matches("form[data-live-post] textarea[name=text]")) return;
    var promptId = box.form.elements.prompt.value;
    var all = loadDrafts();
    if (box.value.trim()) {
      var title = document.getElementById("prompt-" + promptId + "-title");
      all[promptId] = { text: box.value, question: title ? title.textContent : "" };
    } else {
      delete all[promptId];
    }
    saveDrafts(all);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function draftNode(promptId, draft, openPrompts) {
    var section = element("section", "unsent-draft");
    var heading = element("h2", "", "Your unsent text");
    heading.id = "unsent-" + promptId + "-title";
    section.setAttribute("aria-labelledby", heading.id);
    section.appendChild(heading);
    section.appendChild(element("p", "", "The question \u201c" + draft.question +
      "\u201d closed before you sent this. It is kept on this phone."));
    var label = element("label", "", "What you wrote");
    label.htmlFor = "unsent-" + promptId;
    var box = element("textarea");
    box.id = label.htmlFor;
    box.rows = 3;
    box.readOnly = true;
    box.value = draft.text;
    section.appendChild(label);
    section.appendChild(box);
    var actions = element("div", "unsent-actions");
    var copy = element("button", "button small secondary", "Copy");
    copy.type = "button";
    copy.addEventListener("click", function () {
      box.select();
      var copied = navigator.clipboard ? navigator.clipboard.writeText(draft.text) : Promise.reject();
      copied.then(function () { copy.textContent = "Copied"; }, function () { document.execCommand("copy"); });
    });
    actions.appendChild(copy);
    openPrompts.forEach(function (openId) {
      var title = document.getElementById("prompt-" + openId + "-title");
      var question = title ? title.textContent : "";
      // With several open, each button names its question, so they can be told apart.
      var send = openPrompts.length === 1
        ? element("button", "button small secondary", "Send to another open question")
        : element("button", "button small secondary", "Send to: " +
            (question.length > 50 ? question.slice(0, 48) + "\u2026" : question));
      send.type = "button";
      if (openPrompts.length === 1) send.appendChild(element("span", "visually-hidden", ": " + question));
      send.addEventListener("click", function () {
        // Looked up now: a re-sync may have replaced the form since this was drawn.
        var input = formFor(openId);
        if (!input) return;
        var target = input.form.elements.text;
        setText(target, target.value ? target.value + "\n" + draft.text : draft.text);
        forgetDraft(promptId);
        target.focus();
      });
      actions.appendChild(send);
    });
    var discard = element("button", "button small secondary", "Delete it");
    discard.type = "button";
    discard.addEventListener("click", function () {
      forgetDraft(promptId);
      focusHeading();
    });
    actions.appendChild(discard);
    section.appendChild(actions);
    return section;
  }

  function forgetDraft(promptId) {
    var all = loadDrafts();
    delete all[promptId];
    saveDrafts(all);
    showDrafts();
  }

  function showDrafts() {
    if (!draftsKey) return;
    var all = loadDrafts();
    var orphans = Object.keys(all).filter(function (promptId) {
      var input = formFor(promptId);
      if (!input) return true;
      // Its question is open: the words go back in its box (after a reload, say).
      if (!input.form.elements.text.value) setText(input.form.elements.text, all[promptId].text);
      return false;
    });
    var openPrompts = Array.prototype.map.call(region.querySelectorAll("form[data-live-post]"),
      function (form) { return form.elements.prompt.value; });
    // Redrawn only when what it offers changes, so no one loses their place in it.
    var shown = orphans.join(",") + "|" + openPrompts.join(",");
    if (drafts.getAttribute("data-shown") === shown) return;
    drafts.setAttribute("data-shown", shown);
    drafts.replaceChildren.apply(drafts, orphans.map(function (promptId) {
      return draftNode(promptId, all[promptId], openPrompts);
    }));
  }

  if (draftsKey) region.addEventListener("input", keepDraft);

  /* ---- Countdowns: a guide for the room, never a limit on anyone. ---- */
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.round((Date.parse(el.getAttribute("data-countdown")) - Date.now()) / 1000);
      if (isNaN(left)) return;
      if (left <= 0) { el.textContent = "time is up"; return; }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      el.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds + " left";
    });
  }
  setInterval(tick, 1000);

  showQueued();
  showDrafts();
  tick();
  connect();
})();
