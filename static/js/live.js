/* Live pages: one socket per page, server-rendered fragments, and nothing lost offline.
   Every form still posts over plain HTTP without this script. */
(function () {
  "use strict";

  var region = document.getElementById("live-region");
  if (!region) return;

  var statusLine = document.querySelector("[data-live-status]");
  var announcer = document.querySelector("[data-announcer]");
  var pauseButton = document.querySelector("[data-pause]");
  var outboxKey = region.getAttribute("data-outbox");
  var socket = null;
  var retries = 0;
  var paused = false;
  var missedWhilePaused = false;
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

  function replaceKeepingFocus(old, node) {
    var place = focusedIn(old);
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
      if (container && existing.parentNode !== container) {
        // Moving between lists (say, from the approval queue to the feed).
        var place = focusedIn(existing);
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
    if (paused) { missedWhilePaused = true; return Promise.resolve(); }
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
        tick();
      })
      .catch(function () { /* offline: the next reconnect tries again */ });
  }

  /* ---- The socket. ---- */
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + region.getAttribute("data-live-socket"));
    socket.onopen = function () {
      retries = 0;
      showStatus("");
      resync().then(function () { region.setAttribute("data-live", "ready"); });
      loadOutbox().forEach(sendPost);
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.events) {
        if (paused) { missedWhilePaused = true; return; }
        message.events.forEach(apply);
      } else if (message.type === "ack" || message.type === "error") {
        answered(message);
      }
    };
    socket.onclose = function (event) {
      socket = null;
      region.setAttribute("data-live", "offline");
      if (event.code === 4403 || event.code === 4404) {
        showStatus("Live updates are off for this page. Reload it to try again.");
        return;
      }
      showStatus("Live updates are paused. Reconnecting…");
      // Back off up to 30 s, with jitter so a room of phones does not reconnect at once.
      var delay = Math.min(30000, 1000 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
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
    hint.textContent = "Sending…";
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
        setFormStatus(item.prompt, "You seem to be offline. Your post is saved on this phone and will be sent when you are back online.");
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
      setFormStatus(item.prompt, "Sending…");
      showQueued();
      sendPost(item);
    } else if (form.matches("form[data-live-vote]")) {
      event.preventDefault();
      var choice = event.submitter ? event.submitter.value : "";
      vote(form, choice);
    }
  });

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
    if (message.client_id !== undefined) {
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

  /* ---- The wall's pause control (WCAG 2.2.2). ---- */
  if (pauseButton) {
    pauseButton.addEventListener("click", function () {
      paused = !paused;
      pauseButton.setAttribute("aria-pressed", String(paused));
      pauseButton.textContent = paused ? "Resume updates" : "Pause updates";
      if (!paused && missedWhilePaused) {
        missedWhilePaused = false;
        resync();
      }
    });
  }

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
  tick();
  connect();
})();
