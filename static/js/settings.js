// Settings pages: small helpers for the forms (no framework; htmx does the requests).
(function () {
  "use strict";

  // A machine name follows the display name until the admin types one of their own.
  function machineName(text) {
    var name = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 64);
    if (name && !/^[a-z]/.test(name)) name = ("k_" + name).slice(0, 64);
    return name;
  }

  function wireKlassName(form) {
    var display = form.querySelector("[data-klass-display]");
    var name = form.querySelector("[data-klass-name]");
    if (!display || !name) return;
    var follows = !name.value || name.value === machineName(display.value);
    name.addEventListener("input", function () { follows = name.value === "" || name.value === machineName(display.value); });
    display.addEventListener("input", function () {
      if (!follows) return;
      name.value = machineName(display.value);
      if (window.htmx) window.htmx.trigger(name, "klass-name-filled");
    });
  }

  function wireColour(root) {
    root.querySelectorAll("[data-color-picker]").forEach(function (picker) {
      var text = picker.parentElement.querySelector("[data-color-input]");
      if (!text) return;
      picker.addEventListener("input", function () { text.value = picker.value; });
      text.addEventListener("input", function () {
        if (/^#[0-9a-fA-F]{6}$/.test(text.value)) picker.value = text.value.toLowerCase();
      });
    });
  }

  // A form being sent shows it and cannot be sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-busy-form]") || event.defaultPrevented) return;
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    var button = event.submitter || form.querySelector("[type=submit]");
    if (button) button.setAttribute("aria-busy", "true");
  });
  // Back/forward cache: a page shown again must not keep the busy state.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(wireKlassName);
    wireColour(document);
  });
})();
