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

  // "Refund amount (€)" → "refundAmount": the start of an attribute name (the type's ending
  // is added by the page, from the type picked).
  function attributeBase(text) {
    var words = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").match(/[A-Za-z0-9]+/g) || [];
    if (!words.length) return "";
    var base = words[0].toLowerCase() + words.slice(1).map(function (w) {
      return w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
    }).join("");
    return /^[a-z]/.test(base) ? base : "n" + base;
  }

  // The attribute form shows only the options of the type picked; the others are disabled
  // so they are not sent either.
  function wireAttributeForm(form) {
    var kinds = form.querySelectorAll("[data-kind]");
    var fixedKind = form.querySelector("[data-fixed-kind]");
    function current() {
      var checked = form.querySelector("[data-kind]:checked");
      return checked ? checked.value : (fixedKind ? fixedKind.dataset.fixedKind : "Str");
    }
    function show() {
      var kind = current();
      form.querySelectorAll("[data-types]").forEach(function (block) {
        var on = block.dataset.types.split(" ").indexOf(kind) !== -1;
        block.hidden = !on;
        block.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = !on; });
      });
      var suffix = form.querySelector("[data-suffix]");
      if (suffix) suffix.textContent = kind;
    }
    kinds.forEach(function (radio) { radio.addEventListener("change", show); });
    show();

    var display = form.querySelector("#id_display_name");
    var name = form.querySelector("[data-attribute-name]");
    if (display && name) {
      var follows = !name.value || name.value === attributeBase(display.value);
      name.addEventListener("input", function () { follows = name.value === "" || name.value === attributeBase(display.value); });
      display.addEventListener("input", function () { if (follows) name.value = attributeBase(display.value); });
    }

    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      if (add) {
        var list = form.querySelector('[data-list="' + add.dataset.addRow + '"]');
        var template = form.querySelector('[data-row-template="' + add.dataset.addRow + '"]');
        var row = template.content.firstElementChild.cloneNode(true);
        list.appendChild(row);
        row.querySelector("input").focus();
        return;
      }
      var remove = event.target.closest("[data-remove-row]");
      if (remove) {
        var gone = remove.closest("[data-row]");
        var next = gone.nextElementSibling || gone.previousElementSibling;
        gone.remove();
        var focus = next && next.querySelector("input");
        (focus || form.querySelector("[data-add-row]")).focus();
      }
    });
    // Enter in a list row adds the next row instead of sending the form half-filled.
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !event.target.closest("[data-list]")) return;
      event.preventDefault();
      var list = event.target.closest("[data-list]");
      form.querySelector('[data-add-row="' + list.dataset.list + '"]').click();
    });
  }

  function pluralName(word) {
    if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
    if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
    return word + "s";
  }

  // The relationship form: the join object only for many to many; the name follows the other
  // side until the admin types their own.
  function wireRelationshipForm(form) {
    var source = form.querySelector("[name=source]");
    var target = form.querySelector("[name=target]");
    var name = form.querySelector("[name=name]");
    var through = form.querySelector("[data-through]");
    function kind() {
      var checked = form.querySelector("[name=cardinality]:checked");
      return checked ? checked.value : "";
    }
    function suggested() {
      var k = kind();
      var other = k === "many_to_one" ? source.value : target.value;
      other = other.replace(/^kobject\./, "");
      if (!other) return "";
      return k === "one_to_one" ? other : pluralName(other);
    }
    var follows = !name.value || name.value === suggested();
    name.addEventListener("input", function () { follows = name.value === "" || name.value === suggested(); });
    function update() {
      var many = kind() === "many_to_many";
      through.hidden = !many;
      through.querySelector("select").disabled = !many;
      if (follows && !name.disabled) name.value = suggested();
    }
    form.addEventListener("change", update);
    update();
  }

  // The rule form: the status only for "before a status", the value only for rules that take one.
  function wireRuleForm(form) {
    var valueOps = form.dataset.valueOps.split(" ");
    function toggle(block, on) {
      block.hidden = !on;
      block.querySelectorAll("input, select").forEach(function (el) { el.disabled = !on; });
    }
    function update() {
      var when = form.querySelector("[name=when]:checked");
      toggle(form.querySelector("[data-status-field]"), !!when && when.value === "status");
      toggle(form.querySelector("[data-value-field]"), valueOps.indexOf(form.querySelector("[name=op]").value) !== -1);
    }
    form.addEventListener("change", update);
    update();
  }

  // Permissions: a row's box ticks every action on that resource, "Everything" every box.
  function wireScopes(form) {
    function boxes(scope) {
      return Array.prototype.slice.call(scope.querySelectorAll('input[type=checkbox]:not([data-select-all])'));
    }
    function sync() {
      form.querySelectorAll('[data-select-all="row"]').forEach(function (all) {
        var row = boxes(all.closest("tr"));
        var on = row.filter(function (b) { return b.checked; }).length;
        all.checked = on === row.length;
        all.indeterminate = on > 0 && on < row.length;
      });
      var every = boxes(form.querySelector(".scopes"));
      var on = every.filter(function (b) { return b.checked; }).length;
      var top = form.querySelector('[data-select-all="all"]');
      top.checked = on === every.length;
      top.indeterminate = on > 0 && on < every.length;
    }
    form.addEventListener("change", function (event) {
      var all = event.target.closest("[data-select-all]");
      if (all) {
        var scope = all.dataset.selectAll === "row" ? all.closest("tr") : form.querySelector(".scopes");
        boxes(scope).forEach(function (b) { b.checked = all.checked; });
      }
      sync();
    });
    sync();
  }

  // Copy buttons: the text of their target, with a word that it worked.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = document.querySelector(button.dataset.copy).textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
    }, function () {
      var range = document.createRange();
      range.selectNodeContents(document.querySelector(button.dataset.copy));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    });
  });

  // A team's mention handle follows its name until the admin types one.
  function wireTeamForm(form) {
    var name = form.querySelector("[name=name]");
    var slug = form.querySelector("[name=slug]");
    function handle(text) {
      return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
        .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    }
    var follows = !slug.value || slug.value === handle(name.value);
    slug.addEventListener("input", function () { follows = slug.value === "" || slug.value === handle(name.value); });
    name.addEventListener("input", function () { if (follows) slug.value = handle(name.value); });
  }

  // On a narrow screen the sections are one scrolling row: bring the current one into view
  // (only the row scrolls, not the page).
  function showCurrentSection() {
    var nav = document.querySelector(".settings-nav");
    var current = nav && nav.querySelector("[aria-current=page]");
    if (!current || nav.scrollWidth <= nav.clientWidth) return;
    var left = current.getBoundingClientRect().left - nav.getBoundingClientRect().left + nav.scrollLeft;
    nav.scrollLeft = left - (nav.clientWidth - current.offsetWidth) / 2;
  }

  document.addEventListener("DOMContentLoaded", function () {
    showCurrentSection();
    document.querySelectorAll("[data-team-form]").forEach(wireTeamForm);
    document.querySelectorAll("[data-scopes-form]").forEach(wireScopes);
    document.querySelectorAll("[data-rule-form]").forEach(wireRuleForm);
    document.querySelectorAll("[data-relationship-form]").forEach(wireRelationshipForm);
    document.querySelectorAll("[data-attribute-form]").forEach(wireAttributeForm);
    document.querySelectorAll("form").forEach(wireKlassName);
    wireColour(document);
  });
})();
