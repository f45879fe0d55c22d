/* kdesk agent desk: inbox keys, compose (tabs, @mentions, #shortcuts), presence, highlights.
   Loaded after kdesk.js on the desk pages. No inline handlers anywhere (CSP script-src 'self'). */
(function () {
  "use strict";
  var kdesk = (window.kdesk = window.kdesk || {});

  /* 422 answers carry the form with its errors beside the fields: swap them like a 200. */
  function configureHtmx() {
    if (!window.htmx) return;
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
  }
  configureHtmx();
  document.addEventListener("DOMContentLoaded", configureHtmx);

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  /* ---------------------------------------------------------------- inbox: j / k / Enter */
  function inboxRows() { return $all("[data-inbox-row]"); }
  function moveSelection(delta) {
    var rows = inboxRows();
    if (!rows.length) return;
    var current = rows.findIndex(function (r) { return r.classList.contains("is-selected"); });
    var next = current < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, current + delta));
    rows.forEach(function (r) { r.classList.remove("is-selected"); r.removeAttribute("aria-current"); });
    rows[next].classList.add("is-selected");
    rows[next].setAttribute("aria-current", "true");
    rows[next].focus();
    rows[next].scrollIntoView({ block: "nearest" });
  }
  if (kdesk.onKey) {
    kdesk.onKey("j", function () { if (inboxRows().length) moveSelection(1); });
    kdesk.onKey("k", function () { if (inboxRows().length) moveSelection(-1); });
    kdesk.onKey("Enter", function () {
      var active = document.activeElement;
      if (active && active !== document.body && !active.hasAttribute("data-inbox-row")) {
        if (typeof active.click === "function") active.click();
        return;
      }
      var row = $("[data-inbox-row].is-selected");
      if (row) row.click();
    });
    kdesk.onKey("n", function () { focusCompose("note"); });
    kdesk.onKey("e", function () {
      var button = document.getElementById("done-next");
      if (button) button.click();
    });
    kdesk.onKey("s", function () {
      var status = document.getElementById("conv-status");
      var when = document.getElementById("conv-snooze");
      if (!status || !when) return;
      status.value = "snoozed";
      syncSnooze();
      when.focus();
    });
    kdesk.onKey("r", function () { focusCompose("reply"); });
  }

  /* ---------------------------------------------------------------- compose box */
  function setMode(form, mode) {
    if (!form) return;
    form.setAttribute("data-mode", mode);
    form.classList.toggle("is-note", mode === "note");
    var input = $("input[name=mode]", form);
    if (input) input.value = mode;
    $all("[role=tab]", form).forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.getAttribute("data-mode") === mode ? "true" : "false");
    });
    var area = $("textarea", form);
    if (area) area.placeholder = area.getAttribute("data-" + mode + "-placeholder") || "";
    var button = $("button[type=submit]", form);
    if (button) button.textContent = button.getAttribute("data-" + mode + "-label") || button.textContent;
    closeSuggest();
  }
  function focusCompose(mode) {
    var form = document.getElementById("compose");
    if (!form) return;
    if (form.getAttribute("data-mode") !== mode) $all(".form-errors", form).forEach(function (el) { el.remove(); });
    setMode(form, mode);
    var area = $("textarea", form);
    if (area) { area.focus(); area.scrollIntoView({ block: "center" }); }
  }
  /* Messages about a previous attempt go stale: the compose errors when the agent switches
     between reply and note, the card's "Saved." when they change a field again or after a
     few seconds. */
  function clearComposeErrors() {
    $all("#compose .form-errors").forEach(function (el) { el.remove(); });
  }
  function clearSaved(root) {
    $all(".conv-saved", root || document).forEach(function (el) { el.remove(); });
  }
  document.addEventListener("click", function (e) {
    var tab = e.target.closest && e.target.closest("#compose [role=tab]");
    if (tab) {
      clearComposeErrors();
      setMode(document.getElementById("compose"), tab.getAttribute("data-mode"));
      $("#compose-body").focus();
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest("#conversation-card")) clearSaved();
  });
  document.addEventListener("htmx:afterSettle", function () {
    if ($(".conv-saved")) setTimeout(function () { clearSaved(); }, 4000);
  });

  /* Drafts: what is typed in the compose box is kept in this browser per conversation (and
     mode), so a failed send, an expired session or a closed tab never loses it. A send that
     succeeds forgets it. */
  function draftKey(form) {
    form = form || document.getElementById("compose");
    if (!form) return null;
    var select = document.getElementById("conversation-select");
    var conv = (form.getAttribute("data-draft-conversation")) || (select && select.value) || "new";
    return "kdesk:draft:" + form.getAttribute("data-customer") + ":" + conv;
  }
  function saveDraft(form) {
    var key = draftKey(form), area = form && $("textarea", form);
    if (!key || !area) return;
    try {
      if (area.value.trim()) localStorage.setItem(key, JSON.stringify({ mode: form.getAttribute("data-mode") || "reply", body: area.value, at: Date.now() }));
      else localStorage.removeItem(key);
    } catch (err) { /* storage full or disabled: the box still holds the text */ }
  }
  function restoreDraft(form) {
    var key = draftKey(form), area = form && $("textarea", form);
    if (!key || !area || area.value.trim()) return;
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (err) { draft = null; }
    if (!draft || !draft.body) return;
    area.value = draft.body;
    setMode(form, draft.mode === "note" ? "note" : "reply");
  }
  function forgetDraft(key) {
    try { if (key) localStorage.removeItem(key); } catch (err) { /* nothing kept */ }
  }
  kdesk.draftKey = draftKey;

  /* Tag chips: Enter or comma adds the typed tag, × removes one. The customer's tags save at
     once (their form listens for kdesk-tags-changed); a conversation's with its card. */
  function tagsChanged(editor) {
    var form = editor.closest("form");
    if (form && form.classList.contains("tags-form") && window.htmx) htmx.trigger(form, "kdesk-tags-changed");
  }
  function addTag(editor, name) {
    name = name.trim().replace(/,+$/, "");
    if (!name) return;
    var list = $(".tag-chips", editor);
    var exists = $all("input[name=tags]", editor).some(function (i) { return i.value.toLowerCase() === name.toLowerCase(); });
    if (!exists) {
      var li = document.createElement("li");
      li.className = "tag-chip";
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "tags"; hidden.value = name;
      var text = document.createElement("span");
      text.textContent = name;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "chip-remove"; remove.setAttribute("data-remove-tag", "");
      remove.setAttribute("aria-label", "Remove tag " + name);
      remove.textContent = "×";
      li.appendChild(hidden); li.appendChild(text); li.appendChild(remove);
      list.appendChild(li);
    }
    tagsChanged(editor);
  }
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (input.name !== "tag_new" || !input.closest("[data-tag-editor]")) return;
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      var editor = input.closest("[data-tag-editor]");
      var value = input.value;
      input.value = "";
      addTag(editor, value);
    }
  });
  document.addEventListener("click", function (e) {
    var remove = e.target.closest && e.target.closest("[data-remove-tag]");
    if (!remove) return;
    var editor = remove.closest("[data-tag-editor]");
    remove.closest(".tag-chip").remove();
    tagsChanged(editor);
  });

  /* suggestions: @ in a note (users, teams), # in a reply (shortcuts) */
  var suggest = { items: [], index: 0, start: -1, trigger: "", timer: null, seq: 0 };
  function closeSuggest() {
    var list = document.getElementById("compose-suggest");
    suggest.items = []; suggest.start = -1;
    if (list) { list.hidden = true; list.innerHTML = ""; }
    var area = document.getElementById("compose-body");
    if (area) area.removeAttribute("aria-activedescendant");
  }
  function token(area) {
    var upto = area.value.slice(0, area.selectionStart);
    var m = /(^|[\s(])([@#])([\w.\-]{0,40})$/.exec(upto);
    if (!m) return null;
    return { trigger: m[2], query: m[3], start: upto.length - m[3].length - 1 };
  }
  function renderSuggest() {
    var list = document.getElementById("compose-suggest");
    if (!list) return;
    list.innerHTML = "";
    if (!suggest.items.length) { list.hidden = true; return; }
    suggest.items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggest-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === suggest.index ? "true" : "false");
      li.setAttribute("data-index", String(i));
      var strong = document.createElement("strong");
      var small = document.createElement("span");
      small.className = "muted small";
      if (suggest.trigger === "@") {
        strong.textContent = "@" + item.handle;
        small.textContent = item.label + (item.kind === "team" ? " · team" : "");
      } else {
        strong.textContent = "#" + item.name;
        small.textContent = item.text.length > 60 ? item.text.slice(0, 58) + "…" : item.text;
      }
      li.appendChild(strong); li.appendChild(small);
      list.appendChild(li);
    });
    list.hidden = false;
    var area = document.getElementById("compose-body");
    if (area) area.setAttribute("aria-activedescendant", "suggest-" + suggest.index);
  }
  function choose(i) {
    var area = document.getElementById("compose-body");
    var item = suggest.items[i];
    if (!area || !item || suggest.start < 0) return;
    var before = area.value.slice(0, suggest.start);
    var after = area.value.slice(area.selectionStart);
    var text = suggest.trigger === "@" ? "@" + item.handle + " " : item.text;
    var used = document.getElementById("compose-shortcuts");
    if (suggest.trigger === "#" && used && item.id) {
      /* the reply applies the shortcut's conversation defaults (tags) when it is sent */
      var ids = used.value ? used.value.split(",") : [];
      if (ids.indexOf(String(item.id)) < 0) ids.push(String(item.id));
      used.value = ids.join(",");
    }
    area.value = before + text + after;
    var caret = (before + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    closeSuggest();
    kdesk.announce && kdesk.announce(suggest.trigger === "@" ? "Mentioned " + item.label : "Inserted shortcut " + item.name);
  }
  function conversationParam() {
    /* the conversation in view, so {{ conversation.custom.* }} placeholders render */
    var select = document.getElementById("conversation-select");
    return select && select.value ? "&conversation=" + encodeURIComponent(select.value) : "";
  }
  function lookup(area) {
    var form = area.form;
    var t = token(area);
    var mode = form ? form.getAttribute("data-mode") : "reply";
    if (!t || (t.trigger === "@" && mode !== "note") || (t.trigger === "#" && mode !== "reply")) { closeSuggest(); return; }
    suggest.trigger = t.trigger; suggest.start = t.start;
    var url = t.trigger === "@"
      ? "/desk/mentions.json?q=" + encodeURIComponent(t.query)
      : "/customers/" + form.getAttribute("data-customer") + "/shortcuts.json?q=" + encodeURIComponent(t.query) + conversationParam();
    var seq = ++suggest.seq;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401 && kdesk.signedOut) kdesk.signedOut();
        return r.ok ? r.json() : { data: [] };
      })
      .then(function (body) {
        if (seq !== suggest.seq) return;
        suggest.items = body.data || []; suggest.index = 0;
        renderSuggest();
      })
      .catch(closeSuggest);
  }
  document.addEventListener("input", function (e) {
    if (e.target.id !== "compose-body") return;
    saveDraft(e.target.form);
    clearTimeout(suggest.timer);
    var area = e.target;
    suggest.timer = setTimeout(function () { lookup(area); }, 120);
    typingPresence(area.form && area.form.getAttribute("data-mode") === "note" ? "noting" : "replying");
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id === "compose-body") {
      var open = suggest.items.length && !document.getElementById("compose-suggest").hidden;
      if (open && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
        e.preventDefault();
        suggest.index = (suggest.index + (e.key === "ArrowDown" ? 1 : -1) + suggest.items.length) % suggest.items.length;
        renderSuggest();
        return;
      }
      if (open && (e.key === "Enter" || e.key === "Tab")) { e.preventDefault(); choose(suggest.index); return; }
      if (open && e.key === "Escape") { e.preventDefault(); closeSuggest(); return; }
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (e.target.form) htmx.trigger(e.target.form, "submit");
        return;
      }
      if (e.key === "Escape") { e.target.blur(); }
    }
    if (e.key === "Escape" && e.target.closest && e.target.closest(".attr-form")) {
      var cancel = $("[data-cancel-button]", e.target.closest(".attr-form"));
      // the form may have been swapped in a moment ago and not wired yet (htmx does that on
      // settle): process() wires it now (it does nothing to a button already wired)
      if (cancel) { e.preventDefault(); if (window.htmx) htmx.process(cancel); cancel.click(); }
    }
  });
  document.addEventListener("mousedown", function (e) {
    var li = e.target.closest && e.target.closest("#compose-suggest li");
    if (li) { e.preventDefault(); choose(parseInt(li.getAttribute("data-index"), 10)); }
  });
  document.addEventListener("focusout", function (e) {
    if (e.target.id === "compose-body") { setTimeout(closeSuggest, 150); typingPresence("viewing"); }
  });

  /* ---------------------------------------------------------------- presence */
  /* Keyed by socket (`conn`, one per tab): closing one of a person's two tabs keeps them listed.
     Every tab repeats its state every BEAT ms; a tab not heard from for TTL ms is dropped, so a
     viewer whose server process died (and so never said "left") does not stay forever. */
  var page = null, topic = null, people = {}, lastState = null, stateTimer = null;
  var BEAT = 20000, TTL = 50000;
  var STATE_TEXT = { viewing: "is viewing", here: "is viewing", replying: "is writing a reply", noting: "is writing a note", idle: "is idle" };
  function typingState(state) { return state === "replying" || state === "noting"; }
  /* one line per person: their busiest tab wins (writing beats viewing) */
  function persons() {
    var out = {}, order = [];
    Object.keys(people).forEach(function (key) {
      var p = people[key], seen = out[p.user];
      if (!seen) { out[p.user] = { name: p.name, state: p.state }; order.push(p.user); }
      else if (typingState(p.state) && !typingState(seen.state)) seen.state = p.state;
    });
    return order.map(function (user) { return out[user]; });
  }
  function personState(user) {
    var found = null;
    Object.keys(people).forEach(function (key) {
      var p = people[key];
      if (String(p.user) !== String(user)) return;
      if (!found || (typingState(p.state) && !typingState(found))) found = p.state;
    });
    return found;
  }
  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) return;
    box.innerHTML = "";
    /* How many tabs are here (one person may have several): observable when a tab leaves. */
    box.setAttribute("data-tabs", String(Object.keys(people).length));
    persons().forEach(function (p) {
      var span = document.createElement("span");
      span.className = "presence-person" + (typingState(p.state) ? " typing" : "");
      var dot = document.createElement("span");
      dot.className = "avatar avatar-sm";
      dot.setAttribute("aria-hidden", "true");
      dot.textContent = (p.name || "?").split(/\s+/).map(function (w) { return w[0]; }).join("").slice(0, 2).toUpperCase();
      span.appendChild(dot);
      span.appendChild(document.createTextNode(" " + p.name + " " + (STATE_TEXT[p.state] || "is here")));
      box.appendChild(span);
    });
  }
  document.addEventListener("kdesk:presence", function (e) {
    var d = e.detail || {};
    if (!topic || d.topic !== topic) return;
    var key = d.conn || "user-" + d.user;
    if (d.state === "left") delete people[key];
    else {
      var before = personState(d.user);
      people[key] = { user: d.user, name: d.name, state: d.state, at: Date.now() };
      var now = personState(d.user);
      if (!before && d.state !== "here") kdesk.announce && kdesk.announce(d.name + " is viewing this customer");
      if (typingState(now) && before !== now) kdesk.announce && kdesk.announce(d.name + " " + STATE_TEXT[now]);
    }
    renderPresence();
  });
  /* Drop tabs not heard from for TTL ms (`now` may be given: tests look ahead in time). */
  kdesk.presenceSweep = function (now) {
    now = now || Date.now();
    var gone = Object.keys(people).filter(function (key) { return now - people[key].at > TTL; });
    gone.forEach(function (key) { delete people[key]; });
    if (gone.length) renderPresence();
  };
  setInterval(function () { kdesk.presenceSweep(); }, 5000);
  setInterval(function () {
    if (topic && kdesk.send) kdesk.send({ action: "presence", topic: topic, state: lastState || "viewing", beat: true });
  }, BEAT);
  function typingPresence(state) {
    if (!topic || !kdesk.send) return;
    clearTimeout(stateTimer);
    if (state !== lastState) { lastState = state; kdesk.send({ action: "presence", topic: topic, state: state }); }
    if (state !== "viewing") {
      stateTimer = setTimeout(function () { typingPresence("viewing"); }, 8000);
    }
  }

  /* ---------------------------------------------------------------- timeline */
  function markMine(root) {
    var me = page && page.getAttribute("data-me");
    if (!me) return;
    $all('.mention[data-handle="' + me.toLowerCase() + '"]', root).forEach(function (m) { m.classList.add("is-me"); });
  }
  /* one conversation header per run of entries of the same conversation */
  function dedupeHeads() {
    var previous = null;
    $all("#timeline-entries > .tl-item").forEach(function (li) {
      var conv = li.getAttribute("data-conv");
      var head = $(".tl-conv-head", li);
      var kind = li.getAttribute("data-kind");
      if (head) head.hidden = !!(conv && conv === previous);
      if (conv && (kind === "message" || kind === "note")) previous = conv;
      else if (kind !== "conversation") previous = conv || previous;
    });
  }
  function highlight() {
    var id = location.hash && location.hash.slice(1);
    var el = id && document.getElementById(id);
    if (!el) {
      var h = page && page.getAttribute("data-highlight");
      el = h && document.getElementById("entry-" + h);
    }
    if (!el) return;
    var entry = $(".tl-entry", el) || el;
    entry.classList.add("is-highlighted");
    entry.setAttribute("tabindex", "-1");
    el.scrollIntoView({ block: "center" });
    entry.focus({ preventScroll: true });
  }
  /* The timeline goes to a conversation's newest entry: scrolled into view (below the top bar)
     and briefly marked; when it is not loaded (older than this page), the page is loaded at
     that conversation, which puts it on the first page. */
  function bringConversation(entryId, conversationId, mark) {
    var el = entryId && document.getElementById("entry-" + entryId);
    if (!el) {
      if (mark && conversationId) location.assign(location.pathname + "?conversation=" + conversationId);
      return;
    }
    var rect = el.getBoundingClientRect();
    if (mark || rect.top < 0 || rect.top > window.innerHeight) el.scrollIntoView({ block: "start", behavior: mark ? "smooth" : "auto" });
    if (!mark) return;
    var entry = $(".tl-entry", el) || el;
    entry.classList.add("is-focused");
    setTimeout(function () { entry.classList.remove("is-focused"); }, 2000);
  }
  document.addEventListener("kdesk-conversation", function (e) {
    var d = e.detail || {};
    bringConversation(d.entry, d.id, true);
  });

  document.addEventListener("kdesk:event", function (e) {
    var d = e.detail || {};
    if (!topic || d.topic !== topic) return;
    $all("#timeline-entries [data-announce]").forEach(function (li) {
      kdesk.announce && kdesk.announce(li.getAttribute("data-announce"));
      li.removeAttribute("data-announce");
    });
    markMine(document);
    dedupeHeads();
  });

  /* snooze field only when the status is snoozed */
  function syncSnooze(root) {
    var status = $("#conv-status", root || document);
    var field = $(".snooze-field", root || document);
    if (status && field) field.hidden = status.value !== "snoozed";
  }
  document.addEventListener("change", function (e) { if (e.target.id === "conv-status") syncSnooze(); });

  /* Snooze presets: 09:00 tomorrow, next Monday or in a week, counted in the agent's zone
     (body data-tz, the zone the field is read in), written as the field's local value. */
  function zoneToday(zone) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    } catch (err) { return null; }
    return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day));
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-snooze-days]");
    var when = document.getElementById("conv-snooze");
    if (!button || !when) return;
    var day = zoneToday(document.body.getAttribute("data-tz") || "UTC");
    if (!day) return;
    var wanted = button.getAttribute("data-snooze-days");
    var add = wanted === "monday" ? ((8 - day.getUTCDay()) % 7 || 7) : parseInt(wanted, 10);
    day.setUTCDate(day.getUTCDate() + add);
    when.value = day.toISOString().slice(0, 10) + "T09:00";
    when.focus();
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    syncSnooze();
    markMine(document);
    dedupeHeads();
    var auto = $("[autofocus]", document.getElementById(target.id) || document);
    if (auto && document.activeElement !== auto && target.closest && !target.closest("#compose")) auto.focus();
    var compose = document.getElementById("compose");
    if (compose && e.detail.elt && e.detail.elt.id === "compose") {
      setMode(compose, compose.getAttribute("data-mode") || "reply");
      var area = $("textarea", compose);
      if (area) area.focus();
    }
  });
  /* An inline edit saved or cancelled (Escape) swaps its form out from under the focus: give
     it back to the value's edit button, so a keyboard user keeps their place in the panel. On
     settle, not swap: htmx wires the new button's hx-get only then, and an Enter pressed on it
     before would do nothing. */
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail && e.detail.target;
    var row = target && target.id && target.id.indexOf("attr-") === 0 && document.getElementById(target.id);
    var lost = !document.activeElement || document.activeElement === document.body;
    if (!row || !lost || $("[autofocus]", row)) return;
    var edit = $(".attr-edit", row);
    if (edit) edit.focus();
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (kdesk.formatTimes) kdesk.formatTimes(document.getElementById("timeline-entries") || document);
    var elt = e.detail && (e.detail.elt || e.detail.target);
    if (!elt || !elt.closest) return;
    var wrap = elt.id === "conversation-wrap" ? elt : elt.closest("#conversation-wrap");
    if (!wrap && elt.id === "conversation-card") wrap = elt.parentNode;
    if (!wrap || !document.body.contains(wrap)) return;
    var errorField = $(".has-error select, .has-error input", wrap);
    if (errorField) errorField.focus();
  });

  /* The draft a send is for: remembered with the request, forgotten when the answer is a 200
     (a 422 shows the errors with the text; a 401 or a network error keeps it). */
  var sending = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (elt && elt.id === "compose") sending = draftKey(elt);
  });
  /* (beforeSwap: the form is still in the page; once swapped its events reach no listener) */
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || elt.id !== "compose" || !sending) return;
    if (e.detail.xhr && e.detail.xhr.status === 200) forgetDraft(sending);
    sending = null;
  });
  /* Switching conversation: the box holds that conversation's draft, the old one is kept. */
  var draftConversation = null;
  document.addEventListener("focusin", function (e) {
    if (e.target.id === "conversation-select") draftConversation = e.target.value;
  });
  document.addEventListener("change", function (e) {
    if (e.target.id !== "conversation-select") return;
    var form = document.getElementById("compose"), area = form && $("textarea", form);
    if (!form || !area) return;
    if (draftConversation !== null) {
      form.setAttribute("data-draft-conversation", draftConversation);
      saveDraft(form);
      form.removeAttribute("data-draft-conversation");
    }
    draftConversation = e.target.value;
    area.value = "";
    restoreDraft(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var compose = document.getElementById("compose");
    if (compose) restoreDraft(compose);
    page = document.getElementById("desk-customer");
    if (page) {
      topic = "customer." + page.getAttribute("data-customer");
      markMine(document);
      syncSnooze();
      highlight();
      window.addEventListener("hashchange", highlight);
      if (page.getAttribute("data-conversation-entry")) bringConversation(page.getAttribute("data-conversation-entry"), null, false);
    }
    var first = inboxRows()[0];
    if (first) first.classList.add("is-selected");
  });
})();

/* Inbox bulk selection: a checkbox a row (shift-click selects the range from the last one
   clicked), `x` toggles the row j/k are on. The selection is kept by id across live refreshes
   of the list; the bar shows while anything is selected. */
(function () {
  "use strict";
  var kdesk = window.kdesk || {};
  var chosen = new Set();
  var last = null;

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-row-select]")); }
  function bar() { return document.querySelector("[data-bulk-bar]"); }
  function sync() {
    boxes().forEach(function (box) {
      box.checked = chosen.has(box.value);
      box.closest(".inbox-item").classList.toggle("is-checked", box.checked);
    });
    var form = bar();
    if (!form) return;
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = String(chosen.size);
    if (!form.querySelector(".form-errors")) form.hidden = chosen.size === 0;
    var status = form.querySelector("[data-bulk-status]");
    var snooze = form.querySelector("[data-bulk-snooze]");
    if (status && snooze) snooze.hidden = status.value !== "snoozed";
    /* Rows outside the page (selected, then scrolled out by a refresh) still go along. */
    form.querySelectorAll("input[data-kept-id]").forEach(function (i) { i.remove(); });
    var shown = new Set(boxes().map(function (b) { return b.value; }));
    chosen.forEach(function (id) {
      if (shown.has(id)) return;
      var keep = document.createElement("input");
      keep.type = "hidden"; keep.name = "ids"; keep.value = id; keep.setAttribute("data-kept-id", "");
      form.appendChild(keep);
    });
  }
  function toggle(box, on) {
    if (on) chosen.add(box.value); else chosen.delete(box.value);
  }
  document.addEventListener("click", function (e) {
    var box = e.target.closest && e.target.closest("[data-row-select]");
    if (box) {
      var all = boxes();
      if (e.shiftKey && last && all.indexOf(last) >= 0) {
        var a = all.indexOf(last), b = all.indexOf(box);
        all.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (x) { toggle(x, box.checked); });
      } else {
        toggle(box, box.checked);
      }
      last = box;
      sync();
      return;
    }
    if (e.target.closest && e.target.closest("[data-bulk-clear]")) {
      chosen.clear();
      var form = bar();
      var errors = form && form.querySelector(".form-errors");
      if (errors) errors.remove();
      sync();
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-bulk-status]")) sync();
  });
  document.addEventListener("htmx:afterSwap", sync);
  document.addEventListener("kdesk-bulk-done", function () {
    chosen.clear();
    sync();
    var list = document.getElementById("inbox-list");
    if (list && window.htmx) htmx.trigger(list, "live-refresh");
  });
  if (kdesk.onKey) {
    kdesk.onKey("x", function () {
      var row = document.querySelector("[data-inbox-row].is-selected") || document.activeElement;
      var item = row && row.closest && row.closest(".inbox-item");
      var box = item && item.querySelector("[data-row-select]");
      if (!box) return;
      box.checked = !box.checked;
      toggle(box, box.checked);
      last = box;
      sync();
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
})();
