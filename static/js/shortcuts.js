// Keyboard shortcuts for the lists and the conversation. A page names its own: an element
// with data-key="r" (and data-key-label, what it does) is clicked, or focused if it is a
// field, when that key is pressed; a button with data-key-combo="mod+Enter" is pressed with
// Ctrl (Cmd on a Mac) and Enter, from the reply box too; [data-shortcut-search] takes "/";
// rows marked data-row are walked with j and k (their first link is focused, so Enter opens
// it). "?" lists what this page has, and only that. Keys typed into a field stay text.
(function () {
  "use strict";

  var dialog;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]")).filter(function (row) {
      return row.querySelector("a[href]");
    });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.findIndex(function (row) { return row.contains(document.activeElement); });
    var next = at === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    list.forEach(function (row) { row.classList.remove("row-selected"); });
    list[next].classList.add("row-selected");
    var link = list[next].querySelector("a[href]");
    link.focus({ preventScroll: true });
    list[next].scrollIntoView({ block: "nearest" });
  }

  function act(element) {
    if (typing(element)) {
      element.focus();
      element.scrollIntoView({ block: "center" });
    } else {
      element.click();
    }
  }

  function entries() {
    var list = [];
    if (document.querySelector("[data-shortcut-search]")) list.push(["/", "Search"]);
    if (rows().length) {
      list.push(["j", "Next in the list"], ["k", "Previous in the list"], ["Enter", "Open the one chosen"]);
    }
    document.querySelectorAll("[data-key]").forEach(function (el) {
      list.push([el.getAttribute("data-key"), el.getAttribute("data-key-label") || el.textContent.trim()]);
    });
    document.querySelectorAll("[data-key-combo]").forEach(function (el) {
      var mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
      var combo = el.getAttribute("data-key-combo").replace("mod", mac ? "⌘" : "Ctrl");
      list.push([combo, el.getAttribute("data-key-label") || el.textContent.trim()]);
    });
    list.push(["?", "Show this list"], ["Esc", "Close it"]);
    return list;
  }

  function help() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "shortcuts-help";
      dialog.setAttribute("aria-labelledby", "shortcuts-title");
      var title = document.createElement("h2");
      title.id = "shortcuts-title";
      title.textContent = "Keyboard shortcuts";
      var table = document.createElement("dl");
      table.className = "shortcuts";
      entries().forEach(function (entry) {
        var key = document.createElement("dt");
        entry[0].split("+").forEach(function (part, i) {
          if (i) key.appendChild(document.createTextNode(" + "));
          var kbd = document.createElement("kbd");
          kbd.textContent = part;
          key.appendChild(kbd);
        });
        var what = document.createElement("dd");
        what.textContent = entry[1];
        table.appendChild(key);
        table.appendChild(what);
      });
      var close = document.createElement("button");
      close.type = "button";
      close.className = "secondary";
      close.textContent = "Close";
      close.addEventListener("click", function () { dialog.close(); });
      dialog.appendChild(title);
      dialog.appendChild(table);
      dialog.appendChild(close);
      document.body.appendChild(dialog);
    }
    if (!dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (dialog && dialog.open) return;
      var combo = (event.shiftKey ? "mod+shift+Enter" : "mod+Enter");
      var button = document.querySelector('[data-key-combo="' + combo + '"]');
      // Only from inside that button's own form (the reply box): Ctrl+Enter in another
      // field of the page must not send the reply.
      if (button && button.form && button.form.contains(event.target)) {
        event.preventDefault();
        button.form.requestSubmit(button);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (dialog && dialog.open) return;
    if (event.key === "?") {
      event.preventDefault();
      help();
    } else if (event.key === "/") {
      var search = document.querySelector("[data-shortcut-search]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "j" || event.key === "k") {
      if (rows().length) {
        event.preventDefault();
        move(event.key === "j" ? 1 : -1);
      }
    } else {
      var target = document.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
      if (target) {
        event.preventDefault();
        act(target);
      }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) help();
  });

  // The list refreshes itself: the row chosen with j and k stays chosen (by its link).
  var chosen = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var row = rows().find(function (r) { return r.classList.contains("row-selected"); });
    chosen = row ? row.querySelector("a[href]").getAttribute("href") : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!chosen) return;
    var row = rows().find(function (r) { return r.querySelector('a[href="' + chosen + '"]'); });
    if (row) {
      row.classList.add("row-selected");
      row.querySelector("a[href]").focus({ preventScroll: true });
    }
    chosen = null;
  });

  function start() {
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (b) { b.hidden = false; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
