/* The composer's files: picked with the file input or dropped on the reply, listed with name
   and size, removable before sending, checked against the server's limits as they are added
   (the server checks again). The list lives here and is written back to the input, so what is
   shown is what is sent; after a 422 the files are put back with the draft text. */
(function () {
  "use strict";
  var files = [];
  var kept = null; // files of a send in flight, restored when the answer is a 422

  function box() { return document.getElementById("compose-files"); }
  function input() { return document.getElementById("compose-files-input"); }

  function humanSize(size) {
    var units = ["bytes", "KB", "MB", "GB"];
    for (var i = 0; i < units.length; i++) {
      if (size < 1024 || i === units.length - 1) return i === 0 ? size + " bytes" : size.toFixed(1) + " " + units[i];
      size /= 1024;
    }
    return size + " bytes";
  }

  function showError(text) {
    var el = document.getElementById("compose-files-error");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
    var wrap = box();
    if (wrap) wrap.classList.toggle("has-error", !!text);
    var field = input();
    if (field) field.setAttribute("aria-invalid", text ? "true" : "false");
  }

  function sync() {
    var field = input(), list = document.getElementById("compose-file-list");
    if (!field || !list) return;
    var transfer = new DataTransfer();
    files.forEach(function (f) { transfer.items.add(f); });
    field.files = transfer.files;
    list.textContent = "";
    files.forEach(function (f, i) {
      var li = document.createElement("li");
      li.className = "compose-file";
      var name = document.createElement("span");
      name.className = "compose-file-name";
      name.textContent = f.name;
      var size = document.createElement("span");
      size.className = "muted xsmall";
      size.textContent = humanSize(f.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-icon compose-file-remove";
      remove.setAttribute("data-index", String(i));
      remove.setAttribute("aria-label", "Remove " + f.name);
      remove.textContent = "×";
      li.appendChild(name);
      li.appendChild(size);
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function add(picked) {
    var wrap = box();
    if (!wrap) return;
    var maxBytes = parseInt(wrap.getAttribute("data-max-bytes"), 10);
    var maxCount = parseInt(wrap.getAttribute("data-max-count"), 10);
    var maxText = wrap.getAttribute("data-max-text");
    var problems = [];
    Array.prototype.forEach.call(picked, function (f) {
      if (f.size > maxBytes) {
        problems.push("“" + f.name + "” (" + humanSize(f.size) + ") is over the " + maxText + " limit for a file.");
      } else if (files.length >= maxCount) {
        problems.push("“" + f.name + "” was not added: at most " + maxCount + " files may be sent with a message.");
      } else {
        files.push(f);
      }
    });
    sync();
    showError(problems.join(" "));
  }

  document.addEventListener("change", function (e) {
    if (e.target.id !== "compose-files-input") return;
    var picked = Array.prototype.slice.call(e.target.files);
    add(picked);
  });
  document.addEventListener("click", function (e) {
    var remove = e.target.closest && e.target.closest(".compose-file-remove");
    if (!remove) return;
    files.splice(parseInt(remove.getAttribute("data-index"), 10), 1);
    sync();
    showError("");
    var field = input();
    if (field) field.focus();
  });

  function dropTarget(e) {
    var form = e.target.closest && e.target.closest("#compose");
    return form && box() && form.getAttribute("data-mode") !== "note" ? form : null;
  }
  document.addEventListener("dragover", function (e) {
    var form = dropTarget(e);
    if (!form || !e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types, "Files") < 0) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    form.classList.add("is-dropping");
  });
  document.addEventListener("dragleave", function (e) {
    var form = dropTarget(e);
    if (form && !form.contains(e.relatedTarget)) form.classList.remove("is-dropping");
  });
  document.addEventListener("drop", function (e) {
    var form = dropTarget(e);
    if (!form || !e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    form.classList.remove("is-dropping");
    add(e.dataTransfer.files);
  });

  /* (beforeSwap: the form is still in the page; once swapped out, its own events reach no
     listener, so the new form is picked up when htmx loads it) */
  var restore = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (elt && elt.id === "compose") kept = files.slice();
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || elt.id !== "compose" || kept === null) return;
    restore = e.detail.xhr && e.detail.xhr.status === 422 ? kept : [];
    kept = null;
  });
  document.addEventListener("htmx:load", function () {
    if (restore === null || !document.getElementById("compose-file-list")) return;
    var serverError = (document.getElementById("compose-files-error") || {}).textContent || "";
    files = restore;
    restore = null;
    sync();
    if (serverError.trim()) showError(serverError.trim());
  });
})();
