// The reply composer. Any [data-insert] button on the page puts its text at the cursor of
// the reply box (textarea[data-composer]) without reloading and without replacing what was
// typed; the draft is kept in this browser (localStorage, keyed by the form's
// data-draft-key) so a reload or a wrong click loses nothing, and dropped once it is sent.
(function () {
  "use strict";

  function composer() {
    return document.querySelector("textarea[data-composer]");
  }

  // The text to insert, less a greeting or sign-off paragraph the reply already has.
  function trimmed(text, existing) {
    var parts = text.split(/\n{2,}/);
    var has = function (part) { return part.trim() && existing.indexOf(part.trim()) !== -1; };
    if (parts.length > 1 && has(parts[0])) parts.shift();
    if (parts.length > 1 && has(parts[parts.length - 1])) parts.pop();
    return parts.join("\n\n");
  }

  function insert(area, text) {
    var value = area.value;
    var at = area.selectionEnd == null ? value.length : area.selectionEnd;
    var piece = trimmed(text, value);
    var before = value.slice(0, at), after = value.slice(at);
    if (before.trim() && !/\n\n$/.test(before)) piece = (/\n$/.test(before) ? "\n" : "\n\n") + piece;
    if (after.trim() && !/^\n\n/.test(after)) piece = piece + (/^\n/.test(after) ? "\n" : "\n\n");
    area.setRangeText(piece, at, at, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    var area = composer();
    if (!button || !area) return;
    event.preventDefault();
    insert(area, button.getAttribute("data-insert"));
  });

  function keepDrafts() {
    var area = composer();
    var form = area && area.closest("form[data-draft-key]");
    if (!form) return;
    var key = form.getAttribute("data-draft-key");
    var note = document.getElementById("draft-note");
    var say = function (text) { if (note) note.textContent = text; };
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    var saved = store.getItem(key);
    if (saved && saved !== area.value) {
      area.value = saved;
      say("Your unsent draft was restored from this browser.");
    }
    area.addEventListener("input", function () {
      if (area.value.trim()) store.setItem(key, area.value);
      else store.removeItem(key);
    });
    form.addEventListener("submit", function (event) {
      // Sent to the buyer or to the owner for approval: the words now live on the desk.
      // Asking the owner sends only a holding reply, so the draft stays.
      var action = event.submitter && event.submitter.value;
      if (action !== "ask_owner") store.removeItem(key);
    });
  }

  // An attachment too large for Amazon is refused when it is chosen, before any upload.
  function checkAttachments() {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var error = document.getElementById(input.getAttribute("aria-describedby"));
      input.addEventListener("change", function () {
        var max = Number(input.getAttribute("data-max-bytes"));
        var file = input.files && input.files[0];
        var words = "";
        if (file && file.size > max) {
          words = file.name + " is " + (file.size / 1048576).toFixed(1) + " MB; Amazon takes at most " +
            Math.round(max / 1048576) + " MB. Choose a smaller file.";
        }
        input.setCustomValidity(words);
        input.setAttribute("aria-invalid", words ? "true" : "false");
        if (error) { error.textContent = words; error.hidden = !words; }
        if (words) {
          input.focus({ preventScroll: true });
          (error || input).scrollIntoView({ block: "center" });
        }
      });
    });
  }

  function start() { keepDrafts(); checkAttachments(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
