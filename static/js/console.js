/* The console's Undo: offered for a few seconds after hiding a post, then gone. Whoever was
   on it (or pressed it) lands on the post's own Hide or Show again button, never on the
   page's top. Without this script the post's Show again button is the undo. */
(function () {
  "use strict";

  function focusOn(id) {
    var target = id && document.getElementById(id);
    if (target) target.focus();
  }

  function lost() {
    var el = document.activeElement;
    return !el || el === document.body || !el.isConnected;
  }

  function expireLater(root) {
    if (!root.querySelectorAll) return;
    var notices = Array.prototype.slice.call(root.querySelectorAll("[data-expires]"));
    if (root.hasAttribute && root.hasAttribute("data-expires")) notices.push(root);
    notices.forEach(function (notice) {
      var seconds = Number(notice.getAttribute("data-expires"));
      notice.removeAttribute("data-expires");
      setTimeout(function () {
        var hadFocus = notice.contains(document.activeElement);
        notice.remove();
        if (hadFocus) focusOn(notice.getAttribute("data-focus-after"));
      }, seconds * 1000);
    });
  }

  // Watched on the page itself: an Undo arrives by htmx's swap or inside a live redraw,
  // whichever lands first.
  new MutationObserver(function (changes) {
    changes.forEach(function (change) { change.addedNodes.forEach(expireLater); });
  }).observe(document.body, { childList: true, subtree: true });

  // The Undo button goes with the copy of the post it was in.
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var notice = source && source.closest && source.closest("[data-focus-after]");
    if (notice && lost()) focusOn(notice.getAttribute("data-focus-after"));
  });
})();
