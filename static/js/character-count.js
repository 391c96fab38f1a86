/* The GOV.UK character count for post boxes. The limit stays stated in the hint (read with
   the box through aria-describedby); a visible count-down follows every keystroke, and a
   copy for screen readers is announced politely once typing pauses, never per key. Text
   over the limit is kept and explained, never cut: the server refuses it with its reason.
   Without this script the hint alone states the limit. */
(function () {
  "use strict";

  var ANNOUNCE_AFTER_MS = 1000;
  var pending = new WeakMap();

  function message(left) {
    var n = Math.abs(left);
    var unit = n === 1 ? " character" : " characters";
    return "You have " + n.toLocaleString("en-GB") + unit + (left < 0 ? " too many" : " remaining");
  }

  function left(box) {
    // Code points, as the server counts: an emoji is one character, not two.
    return Number(box.getAttribute("data-maxlength")) - Array.from(box.value).length;
  }

  function show(box) {
    var status = document.getElementById(box.id + "-count");
    var remaining = left(box);
    status.textContent = message(remaining);
    status.classList.toggle("error", remaining < 0);
    box.classList.toggle("over-limit", remaining < 0);
  }

  function announceSoon(box) {
    clearTimeout(pending.get(box));
    pending.set(box, setTimeout(function () {
      var spoken = document.getElementById(box.id + "-count-spoken");
      if (spoken) spoken.textContent = message(left(box));
    }, ANNOUNCE_AFTER_MS));
  }

  function setUp(box) {
    var hint = document.getElementById(box.id + "-info");
    box.setAttribute("data-counting", "");
    if (!hint) return;
    var visible = document.createElement("p");
    visible.id = box.id + "-count";
    visible.className = "hint character-count-status";
    // Screen readers hear the announced copy instead of every change to this one.
    visible.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.id = box.id + "-count-spoken";
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    hint.after(visible, spoken);
    hint.classList.add("visually-hidden");
    show(box);
  }

  function setUpAll() {
    document.querySelectorAll("textarea[data-maxlength]:not([data-counting])").forEach(setUp);
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-counting]")) return;
    if (document.getElementById(box.id + "-count")) show(box);
    // Only what a person typed or pasted is announced; a box the page cleared after sending
    // just shows its new count, and the "sent" status speaks instead.
    if (event.isTrusted) announceSoon(box);
  });

  setUpAll();
  // Live pages swap in server-rendered sections (re-sync, a post's answer): count those too.
  new MutationObserver(setUpAll).observe(document.body, { childList: true, subtree: true });
})();
