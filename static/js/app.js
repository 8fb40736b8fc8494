// Verity admin behaviour. Plain script, no framework, no eval, no inline handlers: it runs under
// "script-src 'self'". Every page works without it; this only makes things quicker and kinder.
(function () {
  "use strict";

  // ---------------------------------------------------------------- helpers

  // The CSRF token: a form's hidden _csrf field when the page has one (htmx-boosted navigation swaps
  // <body> but not <head>, so that is the fresher copy), else <meta name="csrf-token">.
  function csrfToken() {
    var field = document.querySelector('input[name="_csrf"]');
    if (field && field.value) return field.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Says text to screen-reader users through the layout's polite live region.
  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick makes repeated messages ("Copied", "Copied") announce again.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Shows a message in the flash area, built with textContent so server text can never become markup.
  function flash(kind, text) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.setAttribute("data-flash", kind);
    p.textContent = text;
    area.appendChild(p);
  }

  function isTextEntry(el) {
    if (!el || !el.tagName) return false;
    if (el.tagName === "TEXTAREA" || el.isContentEditable) return true;
    if (el.tagName !== "INPUT") return false;
    return !/^(button|submit|reset|checkbox|radio|file|hidden|image|range|color)$/i.test(el.type);
  }

  // ------------------------------------------------ (1) CSRF header for htmx

  document.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.verb === "get") return;
    var token = csrfToken();
    if (token) evt.detail.headers["X-CSRF-Token"] = token;
  });

  // Error answers are swapped in like any other (see htmx-config in the layout), so the server's
  // message lands where it belongs. An empty error answer must not wipe the target: show a generic
  // message instead. A request that got no answer at all is reported the same way.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status >= 400 && !String(xhr.responseText || "").trim()) {
      evt.detail.shouldSwap = false;
      flash("error", "Something went wrong (" + xhr.status + "). Please try again.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    flash("error", "The server could not be reached. Check your connection and try again.");
  });

  // -------------------------------------------- (2) copy to clipboard [data-copy]

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-http fallback: a temporary off-screen textarea (CSSOM styles are allowed by the CSP).
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.top = "-1000px";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function onCopy(button) {
    var label = button.querySelector("[data-copy-label]");
    var original = label ? label.textContent : "";
    copyText(button.getAttribute("data-copy")).then(function () {
      if (label) label.textContent = "Copied";
      announce("Copied to clipboard");
      window.clearTimeout(button._copyTimer);
      button._copyTimer = window.setTimeout(function () {
        if (label) label.textContent = original;
      }, 2000);
    }, function () {
      announce("Could not copy; select the text and copy it by hand");
    });
  }

  // ------------------------------------------------------- (3) <dialog> open/close

  function openDialog(opener) {
    var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
    if (!dialog || typeof dialog.showModal !== "function") return false;
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector("[autofocus], [aria-invalid='true'], input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    return true;
  }

  // A click on the backdrop (outside the dialog box) closes it, like Escape does. The press must start
  // there too, so selecting text inside and releasing outside does not close it.
  var pressedOnBackdrop = false;
  function outsideBox(dialog, evt) {
    var r = dialog.getBoundingClientRect();
    return evt.clientX < r.left || evt.clientX > r.right || evt.clientY < r.top || evt.clientY > r.bottom;
  }
  document.addEventListener("pointerdown", function (evt) {
    var d = evt.target;
    pressedOnBackdrop = d instanceof HTMLDialogElement && d.open && outsideBox(d, evt);
  });
  document.addEventListener("click", function (evt) {
    var d = evt.target;
    if (pressedOnBackdrop && d instanceof HTMLDialogElement && d.open && outsideBox(d, evt)) d.close();
    pressedOnBackdrop = false;
  });

  // ------------------------------------------- (6) repeatable rows (associates editor)
  //
  //   <tbody id="associate-rows" data-next-index="2"> <tr data-row data-row-index="0">…</tr> … </tbody>
  //   <template id="associate-row"> <tr data-row> <input name="associates[__INDEX__].firstName"
  //       id="associates-__INDEX__-firstName"> … Associate __NUMBER__ … </tr> </template>
  //   <button type="submit" name="_action" value="add" data-add-row="associate-row"
  //       data-row-target="associate-rows">Add associate</button>
  //   <button type="submit" name="_action" value="remove:0" data-remove-row>Remove</button>
  //
  // __INDEX__ becomes the next free index (indexes are never reused, so gaps may appear: read them
  // sorted, not as 0..n-1) and __NUMBER__ the row's 1-based position for display. Both buttons may be
  // submit buttons so the server can add or remove rows when JavaScript is off; here the click is
  // handled in place instead.

  function nextIndex(list) {
    var next = parseInt(list.getAttribute("data-next-index"), 10);
    if (isNaN(next)) next = 0;
    var rows = list.querySelectorAll("[data-row]");
    next = Math.max(next, rows.length);
    for (var i = 0; i < rows.length; i++) {
      var idx = parseInt(rows[i].getAttribute("data-row-index"), 10);
      if (!isNaN(idx)) next = Math.max(next, idx + 1);
    }
    return next;
  }

  function fillPlaceholders(root, index, number) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var node = walker.currentNode;
    while (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        if (node.nodeValue.indexOf("__") !== -1) {
          node.nodeValue = node.nodeValue.split("__INDEX__").join(index).split("__NUMBER__").join(number);
        }
      } else if (node.attributes) {
        for (var i = 0; i < node.attributes.length; i++) {
          var a = node.attributes[i];
          if (a.value.indexOf("__") !== -1) {
            a.value = a.value.split("__INDEX__").join(index).split("__NUMBER__").join(number);
          }
        }
      }
      node = walker.nextNode();
    }
  }

  function addRow(button) {
    var template = document.getElementById(button.getAttribute("data-add-row"));
    var list = document.getElementById(button.getAttribute("data-row-target"));
    if (!template || !list || !template.content) return false;
    var index = nextIndex(list);
    var fragment = template.content.cloneNode(true);
    var number = list.querySelectorAll("[data-row]").length + 1;
    var holder = document.createElement("div");
    holder.appendChild(fragment);
    fillPlaceholders(holder, String(index), String(number));
    var row = holder.querySelector("[data-row]");
    if (row) row.setAttribute("data-row-index", String(index));
    while (holder.firstChild) list.appendChild(holder.firstChild);
    list.setAttribute("data-next-index", String(index + 1));
    if (window.htmx && row) window.htmx.process(row);
    var first = row && row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    announce("Row added");
    return true;
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    if (!row) return false;
    var list = row.parentElement;
    // Keep focus near where the user was: the next row, else the previous one, else the add button.
    var neighbour = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    var target = neighbour && neighbour.matches("[data-row]")
      ? neighbour.querySelector("input:not([type=hidden]), select, textarea, button")
      : null;
    if (!target && list && list.id) {
      target = document.querySelector('[data-add-row][data-row-target="' + list.id + '"]');
    }
    if (target) target.focus();
    announce("Row removed");
    return true;
  }

  // ----------------------------------------------------------- one click handler

  document.addEventListener("click", function (evt) {
    var el = evt.target instanceof Element ? evt.target : null;
    if (!el) return;
    var hit;
    if ((hit = el.closest("[data-copy]"))) {
      evt.preventDefault();
      onCopy(hit);
    } else if ((hit = el.closest("[data-dialog-open]"))) {
      // A link opener keeps its href as the no-JavaScript route; follow it only if the dialog is missing.
      if (openDialog(hit)) evt.preventDefault();
    } else if ((hit = el.closest("[data-dialog-close]"))) {
      var dialog = hit.closest("dialog");
      if (dialog) { evt.preventDefault(); dialog.close(); }
    } else if ((hit = el.closest("[data-add-row]"))) {
      if (addRow(hit)) evt.preventDefault();
    } else if ((hit = el.closest("[data-remove-row]"))) {
      if (removeRow(hit)) evt.preventDefault();
    }
  });

  // ------------------------------------------------- (5) confirm before submitting
  //
  // <form data-confirm="Revoke this key?"> (or the same attribute on its submit button) asks first.
  // Capture phase, so a "no" stops the event before htmx's own submit listener on the form sees it.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = evt.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopPropagation();
    }
  }, true);

  // ---------------------------------------- (4) focus after htmx swaps in content
  //
  // htmx fires htmx:afterSettle once per swapped element (plus out-of-band ones); collect them and act
  // once. Errors win: the first [aria-invalid=true] field. Otherwise [data-focus-after-swap] or
  // [autofocus] — unless the user is typing in a field that is still on the page (search as you type).

  var settled = [];
  function focusAfterSwap() {
    var roots = settled.filter(function (el) { return el.isConnected; });
    settled = [];
    function find(selector) {
      for (var i = 0; i < roots.length; i++) {
        var r = roots[i];
        if (r.matches && r.matches(selector)) return r;
        var found = r.querySelector && r.querySelector(selector);
        if (found) return found;
      }
      return null;
    }
    var target = find("[aria-invalid='true']");
    if (!target) {
      var active = document.activeElement;
      if (isTextEntry(active) && active.isConnected) return;
      target = find("[data-focus-after-swap]") || find("[autofocus]");
    }
    if (!target) return;
    if (!target.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (!(evt.target instanceof Element)) return;
    if (settled.length === 0) window.setTimeout(focusAfterSwap, 0);
    settled.push(evt.target);
  });

  // ------------------------------------ (7) user menu: close on outside click / Escape

  document.addEventListener("click", function (evt) {
    var menus = document.querySelectorAll("details[data-menu][open]");
    for (var i = 0; i < menus.length; i++) {
      if (!menus[i].contains(evt.target)) menus[i].removeAttribute("open");
    }
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var open = document.querySelector("details[data-menu][open]");
    if (!open) return;
    open.removeAttribute("open");
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });

  // ------------------------------------------------ (8) compact associate rows
  //
  // A saved row without errors ([data-compact]) folds to its summary line (name, roles, date of
  // birth, document); its toggle button (aria-expanded, aria-controls) unfolds it to edit. Folded
  // inputs are only hidden, so they are still sent with the form. Without JavaScript the summary
  // stays hidden and every row is open.

  function setRowOpen(row, open) {
    var body = row.querySelector("[data-row-body]");
    var button = row.querySelector("[data-row-toggle]");
    if (!body || !button) return;
    body.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (button.firstChild && button.firstChild.nodeType === Node.TEXT_NODE) {
      button.firstChild.nodeValue = open ? "Collapse" : "Edit";
    }
  }

  function compactRows(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var rows = Array.prototype.slice.call(scope.querySelectorAll("[data-row][data-compact]"));
    if (scope.matches && scope.matches("[data-row][data-compact]")) rows.push(scope);
    rows.forEach(function (row) {
      if (row.hasAttribute("data-compacted")) return;
      var summary = row.querySelector("[data-row-summary]");
      if (!summary) return;
      row.setAttribute("data-compacted", "");
      summary.hidden = false;
      setRowOpen(row, false);
    });
  }

  document.addEventListener("click", function (evt) {
    var el = evt.target instanceof Element ? evt.target : null;
    var button = el && el.closest("[data-row-toggle]");
    var row = button && button.closest("[data-row]");
    if (!row) return;
    evt.preventDefault();
    var open = button.getAttribute("aria-expanded") !== "true";
    setRowOpen(row, open);
    if (open) {
      var first = row.querySelector("[data-row-body] input:not([type=hidden]), [data-row-body] select");
      if (first) first.focus();
    }
  });
  document.addEventListener("htmx:load", function (evt) { compactRows(evt.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { compactRows(document); });
  } else {
    compactRows(document);
  }

  // ------------------------ (9) hold a control while a form on the page has unsaved edits
  //
  //   <a href="…?to=VERIFIED" data-hold-while="details" data-hold-note-id="approve-hold">Approve</a>
  //   <p id="approve-hold" hidden>Save or cancel your edits to the company details first.</p>
  //
  // While the element #details holds a form whose inputs differ from what it was loaded with, or that
  // came back from a refused save (it then shows an alert or invalid inputs, and holds the user's input,
  // not the stored one), the control is held: aria-disabled, dimmed, its click stopped, and the note
  // shown and tied to it. Saving or cancelling swaps the form out, which releases it. Without
  // JavaScript the form is a page of its own and nothing is held.

  function formChanged(form) {
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) {
          if (el.options[j].selected !== el.options[j].defaultSelected) return true;
        }
      } else if ("defaultValue" in el && el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function editing(boxID) {
    var box = document.getElementById(boxID);
    var form = box && box.querySelector("form");
    if (!form) return false;
    return !!box.querySelector("[aria-invalid='true'], [role='alert']") || formChanged(form);
  }

  function updateHolds() {
    var held = document.querySelectorAll("[data-hold-while]");
    for (var i = 0; i < held.length; i++) {
      var el = held[i];
      var on = editing(el.getAttribute("data-hold-while"));
      var note = document.getElementById(el.getAttribute("data-hold-note-id") || "");
      if (on === (el.getAttribute("aria-disabled") === "true")) continue;
      if (on) {
        el.setAttribute("aria-disabled", "true");
        if (note) el.setAttribute("aria-describedby", note.id);
        el.style.opacity = "0.5";
        el.style.cursor = "not-allowed";
      } else {
        el.removeAttribute("aria-disabled");
        el.removeAttribute("aria-describedby");
        el.style.opacity = "";
        el.style.cursor = "";
      }
      if (note) note.hidden = !on;
    }
  }

  document.addEventListener("input", updateHolds);
  document.addEventListener("change", updateHolds);
  document.addEventListener("htmx:afterSettle", updateHolds);
  // Capture phase: a held control's click never reaches the dialog opener or the link.
  document.addEventListener("click", function (evt) {
    var el = evt.target instanceof Element ? evt.target.closest("[data-hold-while][aria-disabled='true']") : null;
    if (!el) return;
    evt.preventDefault();
    evt.stopPropagation();
    var note = document.getElementById(el.getAttribute("data-hold-note-id") || "");
    if (note) announce(note.textContent.trim());
  }, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateHolds);
  } else {
    updateHolds();
  }

  // --------------------------- reveal controls that only work with JavaScript

  // Copy buttons render hidden (a dead button is worse than none); show them on load and after swaps.
  function reveal(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var buttons = scope.querySelectorAll("[data-copy][hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].removeAttribute("hidden");
    if (scope.matches && scope.matches("[data-copy][hidden]")) scope.removeAttribute("hidden");
  }
  document.addEventListener("htmx:load", function (evt) { reveal(evt.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  } else {
    reveal(document);
  }
})();
