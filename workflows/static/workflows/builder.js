// The workflow builder: rows added and removed in place, the trigger's own fields shown,
// suggestions for fields, values and params. The server reads the named fields; without this
// script the JSON view still edits everything.
(function () {
  "use strict";
  var form = document.getElementById("wf-form");
  if (!form) return;

  function fromTemplate(id, replacements) {
    var html = document.getElementById(id).innerHTML;
    Object.keys(replacements).forEach(function (key) {
      html = html.split(key).join(replacements[key]);
    });
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function next(container) {
    var n = parseInt(container.getAttribute("data-next") || "0", 10);
    container.setAttribute("data-next", String(n + 1));
    return String(n);
  }

  function showTrigger() {
    var kind = form.querySelector("[data-trigger-type]").value;
    form.querySelectorAll("[data-trigger-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-trigger-for") !== kind;
    });
  }

  var fieldsAsked = 0;

  function refreshFields() {
    var params = new URLSearchParams();
    ["trigger_type", "trigger_event", "trigger_hook", "trigger_resource"].forEach(function (name) {
      var el = form.elements[name];
      if (el) params.set(name, el.value);
    });
    // Two quick changes (the trigger type, then the resource) send two requests: only the
    // answer to the latest may replace the suggestions, whichever arrives last.
    var mine = ++fieldsAsked;
    fetch(form.getAttribute("data-fields-url") + "?" + params.toString(), {
      credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      var current = document.getElementById("wf-fields");
      if (html !== null && mine === fieldsAsked && current) current.outerHTML = html;
    });
  }

  function fillChoices(row) {
    var input = row.querySelector("[data-field-input]");
    var list = row.querySelector("[data-choices]");
    if (!input || !list) return;
    list.innerHTML = "";
    var options = document.querySelectorAll("#wf-fields option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === input.value) {
        (options[i].getAttribute("data-choices") || "").split("|").forEach(function (choice) {
          if (!choice) return;
          var opt = document.createElement("option");
          opt.value = choice;
          list.appendChild(opt);
        });
      }
    }
  }

  function addParam(step, name) {
    var box = step.querySelector("[data-params]");
    var row = fromTemplate("wf-param-template", {
      "__i__": step.getAttribute("data-step"), "__j__": next(step)
    });
    var key = row.querySelector("[data-param-key]");
    var action = step.querySelector("[data-action-select]").value || "any";
    key.setAttribute("list", "wf-params-" + action);
    if (name) key.value = name;
    box.appendChild(row);
    return row;
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("[data-remove]")) {
      target.closest("[data-row]").remove();
    } else if (target.matches("[data-add-condition]")) {
      var box = form.querySelector("[data-conditions]");
      var row = fromTemplate("wf-condition-template", { "__i__": next(box) });
      box.appendChild(row);
      row.querySelector("input").focus();
    } else if (target.matches("[data-add-step]")) {
      var steps = form.querySelector("[data-steps]");
      var step = fromTemplate("wf-step-template", { "__i__": next(steps) });
      step.setAttribute("data-next", "0");
      steps.appendChild(step);
      step.querySelector("input").focus();
    } else if (target.matches("[data-add-param]")) {
      addParam(target.closest("[data-step]")).querySelector("input").focus();
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-trigger-type]")) {
      showTrigger();
      refreshFields();
    } else if (target.matches("[data-trigger-input]")) {
      refreshFields();
    } else if (target.matches("[data-field-input]")) {
      fillChoices(target.closest("[data-row]"));
    } else if (target.matches("[data-action-select]")) {
      var step = target.closest("[data-step]");
      var list = "wf-params-" + (target.value || "any");
      step.querySelectorAll("[data-param-key]").forEach(function (key) {
        key.setAttribute("list", list);
      });
      // a new step gets a row for each param its action needs
      var datalist = document.getElementById(list);
      var options = datalist ? datalist.querySelectorAll("option[data-required]") : [];
      var have = {};
      step.querySelectorAll("[data-param-key]").forEach(function (key) { have[key.value] = true; });
      if (!step.querySelectorAll("[data-param-key]").length) {
        for (var i = 0; i < options.length; i++) {
          if (!have[options[i].value]) addParam(step, options[i].value);
        }
      }
    }
  });

  form.querySelectorAll(".wf-condition").forEach(fillChoices);
  showTrigger();
})();
