/* kdesk page behaviour: keyboard shortcuts, local times, and the live socket. Our own code. */
(function () {
  "use strict";
  var keys = {};
  var kdesk = (window.kdesk = window.kdesk || {});

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  kdesk.onKey = function (key, fn) { keys[key] = fn; };
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var fn = keys[e.key];
    if (fn) { e.preventDefault(); fn(e); }
  });
  kdesk.onKey("?", function () {
    var help = document.getElementById("keys-help");
    if (help && !help.open && help.showModal) help.showModal();
  });
  kdesk.onKey("/", function () {
    var s = document.getElementById("global-search");
    if (s) { s.focus(); s.select(); }
  });

  /* Times: recent <time datetime> read relative ("5 minutes ago"); everything else keeps the
     text the server wrote. data-absolute times are never touched: the server formats them in
     the agent's time zone (with the year), which the browser's zone must not undo. */
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
  function fmt(el) {
    if (el.hasAttribute("data-absolute")) return;
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) return;
    if (!el.hasAttribute("data-server-text")) el.setAttribute("data-server-text", el.textContent);
    var server = el.getAttribute("data-server-text");
    var secs = (d - Date.now()) / 1000, abs = Math.abs(secs);
    el.title = server;
    if (!rtf || abs > 6 * 86400) {
      el.textContent = server;
    } else if (abs < 60) { el.textContent = rtf.format(Math.round(secs), "second"); }
    else if (abs < 3600) { el.textContent = rtf.format(Math.round(secs / 60), "minute"); }
    else if (abs < 86400) { el.textContent = rtf.format(Math.round(secs / 3600), "hour"); }
    else { el.textContent = rtf.format(Math.round(secs / 86400), "day"); }
  }
  /* Wake times of snoozed conversations ("until Mon 15 Jan, 09:00"), in the zone the agent
     chose (body data-tz), not the browser's: pushed fragments are written in UTC. */
  function wakeText(d, zone) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    } catch (err) { return null; }
    var nowYear = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric" }).format(new Date());
    var day = parts.weekday + " " + parts.day + " " + parts.month + (parts.year !== nowYear ? " " + parts.year : "");
    return "until " + day + ", " + parts.hour + ":" + parts.minute;
  }
  function fmtWake(el) {
    var zone = document.body.getAttribute("data-tz") || "UTC";
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) return;
    var text = wakeText(d, zone);
    if (text) el.textContent = text;
  }
  kdesk.formatTimes = function (root) {
    root = root || document;
    root.querySelectorAll("time[datetime]").forEach(fmt);
    root.querySelectorAll("time[data-wake]").forEach(fmtWake);
  };
  document.addEventListener("DOMContentLoaded", function () { kdesk.formatTimes(); });
  document.addEventListener("htmx:afterSettle", function (e) { kdesk.formatTimes(e.target); });
  setInterval(function () { kdesk.formatTimes(); }, 60000);

  /* A background request answered 401: the session has expired. Nothing is retried (the agent
     decides what to send again); the banner links to the sign-in page and back here. */
  kdesk.signedOut = function () {
    var banner = document.getElementById("signed-out");
    if (!banner) return;
    var link = document.getElementById("signed-out-link");
    if (link) link.href = "/login/?next=" + encodeURIComponent(location.pathname + location.search);
    if (banner.hidden) {
      banner.hidden = false;
      document.body.classList.add("is-signed-out");
    }
  };
  /* A form htmx swapped in a moment ago is wired only on settle: submitted before (Enter on a
     loaded machine), the browser would send it itself, as a GET of the page, and the edit would
     be lost. Capture runs first: process() wires the form now (nothing changes for one already
     wired), so htmx's own submit handler on it sends it as every other time. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (window.htmx && form.matches && form.matches("[hx-post], [hx-put], [hx-patch]")) {
      htmx.process(form);
    }
  }, true);
  /* Any other failed background request says why, in the words the server sent with it
     (kdesk/page_messages.py); the form is not swapped, so what was typed stays. */
  var FAILED = {
    403: "You may not do this.",
    404: "This is no longer here: it may have been deleted or merged. Reload the page.",
    413: "That is too large to send.",
    429: "Too many requests at once. Wait a moment and try again.",
  };
  function failureText(xhr) {
    var said = xhr.getResponseHeader("X-Kdesk-Message");
    if (said) {
      try { return decodeURIComponent(said); } catch (err) { /* fall through to the defaults */ }
    }
    if (FAILED[xhr.status]) return FAILED[xhr.status];
    if (xhr.status >= 500) return "Something went wrong on our side, so nothing was saved. Try again in a moment.";
    return "That did not work (error " + xhr.status + "). Reload the page and try again.";
  }
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 401) { kdesk.signedOut(); return; }
    kdesk.toast(failureText(xhr), "error", 10000);
  });
  document.addEventListener("htmx:sendError", function () {
    kdesk.toast("kdesk could not be reached. Check your connection and try again; what you typed is still here.", "error", 10000);
  });

  kdesk.announce = function (text) {
    var r = document.getElementById("live-region");
    if (r) { r.textContent = ""; setTimeout(function () { r.textContent = text; }, 50); }
  };

  /* The bell's count: <span id="notif-count" class="badge">, hidden at zero. */
  kdesk.setUnread = function (n) {
    var b = document.getElementById("notif-count");
    if (!b) return;
    n = Math.max(0, parseInt(n, 10) || 0);
    b.textContent = n > 99 ? "99+" : String(n);
    b.setAttribute("data-count", String(n));
    b.hidden = n === 0;
    if (b.parentNode) b.parentNode.setAttribute("aria-label", "Notifications, " + n + " unread");
  };

  /* A short message in the bottom-right corner; kind is "success", "error" or nothing; with
     `href` the message is a link (a notification opens what it is about). */
  kdesk.toast = function (text, kind, ms, href) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast" + (kind ? " toast-" + kind : "");
    t.setAttribute("role", kind === "error" ? "alert" : "status");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      t.appendChild(a);
    } else {
      t.textContent = text;
    }
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, ms || 4000);
  };
  /* Marking notifications read answers HX-Trigger {"kdesk-unread": {"count": n}}. */
  document.addEventListener("kdesk-unread", function (e) {
    if (e.detail && e.detail.count !== undefined) kdesk.setUnread(e.detail.count);
  });

  /* ---- live socket: one per tab ---- */
  var tab = Math.random().toString(36).slice(2, 12);
  kdesk.tab = tab;
  document.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-Kdesk-Tab"] = tab; });

  var socket = null, attempt = 0, last = {}, seen = {}, handlers = {}, topics = [];
  kdesk.onTopic = function (topic, fn) { handlers[topic] = fn; };
  kdesk.send = function (msg) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
  };
  function banner(show, text) {
    var b = document.getElementById("conn-banner");
    if (!b) return;
    if (text) b.textContent = text;
    b.hidden = !show;
  }
  /* A live list (an element with data-live-filter, e.g. the timeline) holds each entry once,
     and only entries whose data-type matches one of its event-type prefixes (the active
     filter chips; "kobject." a prefix, "conversation.create" an exact type; none: all). */
  function admits(list, el) {
    var filter = list && list.getAttribute("data-live-filter");
    var type = el && el.getAttribute && el.getAttribute("data-type");
    if (!filter || !type) return true;
    return filter.split(" ").filter(Boolean).some(function (p) {
      return p.charAt(p.length - 1) === "." ? type.indexOf(p) === 0 : type === p;
    });
  }
  function entered(list) {
    var empty = list && list.querySelector(":scope > .tl-empty");
    if (empty) empty.remove();
  }
  /* The response of this tab's own write may arrive after the push of the same entry (or the
     other way round): an entry already shown is not added twice, nor one outside the filter. */
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var d = e.detail || {}, list = d.target, frag = d.fragment;
    if (!list || !frag || !list.hasAttribute || !list.hasAttribute("data-live-filter")) return;
    Array.prototype.slice.call(frag.children || []).forEach(function (el) {
      if ((el.id && document.getElementById(el.id)) || !admits(list, el)) el.remove();
    });
    if (!frag.children.length) d.shouldSwap = false;
    else entered(list);
  });
  /* Entries carry data-event-id: a prepended one goes above the first entry older than it, so
     one arriving late (a replay after a gap) still lands in order. Null: at the top as asked;
     false: older than every entry shown while older pages are still to load (they bring it). */
  function placeById(list, el) {
    var id = parseInt((el && el.getAttribute && el.getAttribute("data-event-id")) || "", 10);
    if (!id) return null;
    var kids = list.querySelectorAll(":scope > [data-event-id]");
    for (var i = 0; i < kids.length; i++) {
      if (parseInt(kids[i].getAttribute("data-event-id"), 10) < id) {
        return i === 0 ? null : { target: kids[i], style: "beforebegin" };
      }
    }
    if (!kids.length) return null;
    if (list.querySelector(":scope > .tl-more")) return false;
    return { target: kids[kids.length - 1], style: "afterend" };
  }
  function apply(op, topic) {
    if (op.op === "unread") { kdesk.setUnread(op.count); return; }
    if (op.op === "refresh") {
      /* A part ("conversation", "cards", ...) or, without one, everything showing the topic. */
      document.querySelectorAll('[data-live-refresh~="' + (op.part || topic) + '"]').forEach(function (el) {
        htmx.trigger(el, "live-refresh");
      });
      return;
    }
    var target = document.querySelector(op.target);
    if (!target) return;
    /* A reload of the part in flight may have been rendered before this change: queue one more
       (hx-sync "queue last" on the part). */
    var reloading = target.closest && target.closest("[data-live-refresh].htmx-request");
    if (reloading) htmx.trigger(reloading, "live-refresh");
    if (op.op === "remove") { target.remove(); return; }
    var style = { prepend: "afterbegin", append: "beforeend", replace: "outerHTML", inner: "innerHTML" }[op.op];
    if (op.op === "prepend" || op.op === "append") {
      var tmp = document.createElement("div");
      tmp.innerHTML = op.html;
      var first = tmp.firstElementChild, list = target;
      if (first && first.id && document.getElementById(first.id)) {
        target = document.getElementById(first.id); style = "outerHTML";
      } else if (!admits(target, first)) {
        return;
      } else {
        if (op.op === "prepend") {
          var spot = placeById(list, first);
          if (spot === false) return;
          if (spot) { target = spot.target; style = spot.style; }
        }
        entered(list);
      }
    }
    htmx.swap(target, op.html, { swapStyle: style });
    kdesk.formatTimes(document);
  }
  function notifyBrowser(n) {
    if (!n) return;
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      var shown = new Notification(n.title, { body: n.body, tag: n.url });
      shown.onclick = function () { window.focus(); location.href = n.url; };
    } else if (kdesk.toast) {
      kdesk.toast(n.title + (n.body ? ": " + n.body : ""), "", 8000, n.url);
    }
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-enable-notifications]");
    if (!b || !window.Notification) return;
    Notification.requestPermission().then(function (p) { b.hidden = p !== "default"; });
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-enable-notifications]").forEach(function (b) {
      b.hidden = !window.Notification || Notification.permission !== "default";
    });
  });
  /* A gap (a push whose prev this tab never saw): hold that push and whatever else arrives for
     the topic, ask for a replay from the last id seen (no re-subscribe: the others in the room
     would hear "viewing" again), and when it ends ("replayed") apply the held ones, oldest
     first, so the timeline stays in order. */
  var pending = {};
  function holdForReplay(msg) {
    var topic = msg.topic;
    pending[topic] = { queue: [msg], timer: setTimeout(function () { endReplay(topic); }, 8000) };
    kdesk.send({ action: "replay", topic: topic, last: last[topic] });
  }
  function endReplay(topic) {
    var p = pending[topic];
    if (!p) return;
    delete pending[topic];
    clearTimeout(p.timer);
    p.queue.sort(function (a, b) { return a.id - b.id; }).forEach(function (m) { applyEvent(m); });
  }
  function applyEvent(msg) {
    var seenIds = seen[msg.topic] || (seen[msg.topic] = {});
    if (seenIds[msg.id]) return;
    seenIds[msg.id] = true;
    if (!last[msg.topic] || msg.id > last[msg.topic]) last[msg.topic] = msg.id;
    (msg.ops || []).forEach(function (op) { apply(op, msg.topic); });
    if (handlers[msg.topic]) handlers[msg.topic](msg);
    document.dispatchEvent(new CustomEvent("kdesk:event", { detail: msg }));
    /* The newest event this tab has applied, on <html>: what a test (or a support engineer in
       the inspector) waits on instead of guessing how long a push takes. */
    var root = document.documentElement;
    if (msg.id > parseInt(root.getAttribute("data-live-seen") || "0", 10)) root.setAttribute("data-live-seen", String(msg.id));
  }
  /* The topics the server has confirmed for this socket ("subscribed"), space-separated on
     <html>; cleared when the socket closes, since a new socket subscribes again. */
  function markSubscribed(topic) {
    var root = document.documentElement;
    var list = (root.getAttribute("data-live-subscribed") || "").split(" ").filter(Boolean);
    if (list.indexOf(topic) < 0) list.push(topic);
    root.setAttribute("data-live-subscribed", list.join(" "));
  }
  function onMessage(e) {
    var msg = JSON.parse(e.data);
    if (msg.notify) notifyBrowser(msg.notify);
    if (msg.type === "event") {
      var seenIds = seen[msg.topic] || (seen[msg.topic] = {});
      if (seenIds[msg.id]) return;
      if (!msg.replay) {
        if (pending[msg.topic]) { pending[msg.topic].queue.push(msg); return; }
        // A push went missing (the channel layer delivers at most once): replay from the log.
        if (msg.prev && last[msg.topic] && msg.prev > last[msg.topic] && !seenIds[msg.prev]) {
          holdForReplay(msg);
          return;
        }
      }
      applyEvent(msg);
    } else if (msg.type === "subscribed") {
      markSubscribed(msg.topic);
    } else if (msg.type === "replayed" || msg.type === "denied") {
      endReplay(msg.topic);
    } else if (msg.type === "refresh") {
      /* Too much was missed to replay: reload what shows the topic, from the cursor given. */
      if (msg.id && (!last[msg.topic] || msg.id > last[msg.topic])) last[msg.topic] = msg.id;
      apply({ op: "refresh", topic: msg.topic }, msg.topic);
    } else if (msg.type === "unread") {
      /* Read in another tab: the bell, and a notifications list this tab shows. */
      kdesk.setUnread(msg.count);
      apply({ op: "refresh", topic: "notifications" }, "notifications");
    } else if (msg.type === "presence") {
      document.dispatchEvent(new CustomEvent("kdesk:presence", { detail: msg }));
    }
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + "/ws/");
    socket.onopen = function () {
      attempt = 0;
      banner(false);
      kdesk.send({ action: "hello", tab: tab });
      /* A replay asked for before the socket dropped is asked for again (its held pushes wait). */
      topics.forEach(function (t) {
        kdesk.send({ action: "subscribe", topic: t, last: pending[t] ? null : last[t] || null });
        if (pending[t]) kdesk.send({ action: "replay", topic: t, last: last[t] });
      });
    };
    socket.onmessage = onMessage;
    socket.onclose = function (e) {
      document.documentElement.removeAttribute("data-live-subscribed");
      if (e.code === 4401) {
        /* Signed out (here or in another tab of this browser): no reconnecting. */
        banner(true, "Signed out. Sign in again to see live updates.");
        return;
      }
      banner(true);
      var delay = Math.min(15000, 500 * Math.pow(2, attempt++)) * (0.7 + Math.random() * 0.6);
      setTimeout(connect, delay);
    };
  }
  kdesk.live = function (topicList, lastSeen) {
    topics = topicList;
    topics.forEach(function (t) { if (lastSeen && lastSeen[t]) last[t] = lastSeen[t]; });
    connect();
  };
  document.addEventListener("DOMContentLoaded", function () {
    /* Every element may name topics (the page's, and the bell's on <body>); the last event id
       it rendered lets the server replay what happened between render and connect. */
    var els = document.querySelectorAll("[data-live-topics]");
    if (!els.length || !window.WebSocket) return;
    var list = [], seen = {};
    els.forEach(function (el) {
      var v = parseInt(el.getAttribute("data-live-last") || "0", 10);
      el.getAttribute("data-live-topics").split(" ").filter(Boolean).forEach(function (t) {
        if (list.indexOf(t) < 0) list.push(t);
        if (v) seen[t] = v;
      });
    });
    kdesk.live(list, seen);
  });
})();
