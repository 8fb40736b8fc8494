// Document upload: drag-and-drop onto the form and a progress bar while a large file is sent. Plain
// script under "script-src 'self'"; without it the form is a plain multipart POST that answers 303.
//
//   <form data-upload method="post" enctype="multipart/form-data" action="…/documents">
//     <input type="hidden" name="_csrf"> … <div data-dropzone> <input type="file" name="file"> <p data-drop-hint hidden> </div>
//     <p data-file-chosen></p> <div data-upload-progress hidden> <progress max="100"> <span data-upload-progress-text>
//   </form>
//
// The file goes with XMLHttpRequest (fetch reports no upload progress). The request says it is htmx's kind
// (HX-Request), so the server answers as it does to htmx: 204 with HX-Location on success, the form alone
// with its messages on 422, an error fragment for the flash area otherwise.
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form.querySelector('input[name="_csrf"]');
    if (field && field.value) return field.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function sizeText(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " bytes";
  }

  function announce(text) {
    var region = document.getElementById("live-region");
    if (region) region.textContent = text;
  }

  function showFlash(html) {
    var area = document.getElementById("flash");
    if (!area) return;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("flash");
    if (fresh) area.replaceWith(document.importNode(fresh, true));
  }

  function enhance(form) {
    if (form._uploadReady) return;
    form._uploadReady = true;
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var chosen = form.querySelector("[data-file-chosen]");
    var progress = form.querySelector("[data-upload-progress]");
    var bar = progress && progress.querySelector("progress");
    var text = progress && progress.querySelector("[data-upload-progress-text]");
    var submit = form.querySelector('button[type="submit"]');
    if (!input || !zone) return;
    zone.classList.add("dropzone-ready");
    var hint = zone.querySelector("[data-drop-hint]");
    if (hint) hint.hidden = false;

    // Offer only the sub-types the chosen type takes (the server checks the pair anyway).
    var typeSel = form.querySelector('select[name="type"]');
    var subSel = form.querySelector('select[name="subType"]');
    var takes = {};
    try { takes = JSON.parse(form.getAttribute("data-subtypes") || "{}"); } catch (e) { takes = {}; }
    function filterSubTypes() {
      if (!typeSel || !subSel) return;
      var allowed = takes[typeSel.value];
      for (var i = 0; i < subSel.options.length; i++) {
        var o = subSel.options[i];
        var ok = o.value === "" || !allowed || allowed.indexOf(o.value) >= 0;
        o.hidden = !ok;
        o.disabled = !ok;
      }
      if (subSel.selectedOptions[0] && subSel.selectedOptions[0].disabled) subSel.value = "";
    }
    if (typeSel) typeSel.addEventListener("change", filterSubTypes);
    filterSubTypes();

    function showChosen() {
      var f = input.files && input.files[0];
      if (chosen) chosen.textContent = f ? "Chosen: " + f.name + " (" + sizeText(f.size) + ")" : "";
    }
    input.addEventListener("change", showChosen);

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (evt) {
        evt.preventDefault();
        zone.classList.add("dropzone-over");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dropzone-over"); });
    });
    zone.addEventListener("drop", function (evt) {
      evt.preventDefault();
      zone.classList.remove("dropzone-over");
      var files = evt.dataTransfer && evt.dataTransfer.files;
      if (!files || files.length === 0) return;
      input.files = files;
      showChosen();
      announce("File chosen: " + files[0].name);
    });

    function setProgress(pct, words) {
      if (!progress) return;
      progress.hidden = false;
      if (bar) {
        bar.value = pct;
        bar.textContent = pct + "%";
      }
      if (text) text.textContent = words;
      form.dispatchEvent(new CustomEvent("verity:upload-progress", { bubbles: true, detail: { percent: pct } }));
    }

    form.addEventListener("submit", function (evt) {
      evt.preventDefault();
      var f = input.files && input.files[0];
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrfToken(form));
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.floor((e.loaded / e.total) * 100);
        setProgress(pct, "Uploading " + (f ? f.name + ": " : "") + pct + "% of " + sizeText(e.total));
      });
      xhr.upload.addEventListener("load", function () {
        setProgress(100, "Sent; checking and storing the file…");
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 204 && xhr.getResponseHeader("HX-Location")) {
          // Load the page afresh (its list, history and blockers changed), even when only the
          // fragment differs from the address shown now.
          var to = new URL(xhr.getResponseHeader("HX-Location"), window.location.href);
          if (to.pathname === window.location.pathname && to.search === window.location.search) {
            window.location.hash = to.hash;
            window.location.reload();
          } else {
            window.location.assign(to.href);
          }
          return;
        }
        if (submit) submit.disabled = false;
        if (xhr.status === 422) {
          // The form again with its messages: swap it in and enhance the new one.
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var fresh = doc.querySelector("form[data-upload]");
          if (fresh) {
            var node = document.importNode(fresh, true);
            form.replaceWith(node);
            enhance(node);
            var summary = node.querySelector('[data-testid="error-summary"]');
            if (summary) summary.focus();
            return;
          }
        }
        if (progress) progress.hidden = true;
        showFlash(xhr.responseText);
      });
      xhr.addEventListener("error", function () {
        if (submit) submit.disabled = false;
        if (progress) progress.hidden = true;
        announce("The upload failed: the server could not be reached.");
        if (text) text.textContent = "The upload failed: the server could not be reached.";
      });
      if (submit) submit.disabled = true;
      setProgress(0, "Starting the upload…");
      xhr.send(new FormData(form));
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-upload]");
    for (var i = 0; i < forms.length; i++) enhance(forms[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
