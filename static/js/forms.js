// A form the desk refused comes back with its field focused (autofocus, aria-invalid) and
// the reason beside it: both are brought to the middle of the window, wherever the form is
// on the page. And a form posted once is not posted again by a second click while the next
// page loads (the desk refuses a second post anyway; this way the person sees the outcome
// of the first, not "done already").
(function () {
  "use strict";

  var AGAIN_AFTER_MS = 15000; // a page that never comes: the form can be sent again

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") return;
    if (form.dataset.posting) {
      event.preventDefault();
      return;
    }
    form.dataset.posting = "1";
    setTimeout(function () { delete form.dataset.posting; }, AGAIN_AFTER_MS);
  });
  // Back to a page kept by the browser (the back button): its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-posting]").forEach(function (f) { delete f.dataset.posting; });
  });

  function reason(field) {
    var own = document.getElementById(field.id + "_errors");
    if (own) return own;
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i++) {
      var el = ids[i] && document.getElementById(ids[i]);
      if (el && el.classList.contains("field-error")) return el;
    }
    return null;
  }

  function focusRefused() {
    var field = document.querySelector("[aria-invalid=true][autofocus]");
    if (!field) return;
    field.focus({ preventScroll: true });
    (reason(field) || field).scrollIntoView({ block: "center" });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusRefused);
  else focusRefused();
})();
