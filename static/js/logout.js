// Logging out forgets the unsent drafts this browser kept (composer.js): the next person to
// sign in here does not find someone else's words in the composer.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    if (!event.target.matches("form.logout")) return;
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf("sellerdesk:draft:") === 0) store.removeItem(key);
    }
  });
})();
