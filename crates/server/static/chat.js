/* Safe Passage: the applicant chat, upgraded. Without this file the page works by forms and
   reloads; with it, nothing navigates (so quick exit leaves no chat page in the history), sends
   go by fetch, and messages arrive live over Server-Sent Events. Message text only ever enters
   the page as textContent, and nothing is stored in the browser. */
(function () {
  "use strict";

  var doc = document;
  function $(id) { return doc.getElementById(id); }
  var list = $("messages");
  var form = $("send-form");
  var box = $("message");
  var button = $("send");
  var notice = $("notice");
  var codeForm = $("codename-form");
  var lang = doc.documentElement.lang;
  var live = !!list && list.getAttribute("data-live") === "1";
  var listening = false;

  function say(text) {
    if (notice) notice.textContent = text || "";
  }

  function localTimes(root) {
    var times = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var d = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(d)) times[i].textContent = d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    }
  }

  // Links inside the chat replace the current history entry instead of adding one.
  function replacing(a, instead) {
    if (!a) return;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      if (instead && instead()) return;
      window.location.replace(a.href);
    });
  }
  // Quick exit: the page goes blank at once, the server ends the conversation's token (the same
  // POST as without the script, its redirect not followed, so nothing is fetched from the
  // neutral page's site), and the neutral page replaces this history entry. Leaving never
  // waits more than a moment for the server.
  var exitForm = $("quick-exit-form");
  if (exitForm) {
    exitForm.addEventListener("submit", function (e) {
      var neutral = exitForm.getAttribute("data-neutral");
      if (!window.fetch || !neutral) return; // the plain form post does it all
      e.preventDefault();
      doc.documentElement.className += " leaving";
      var left = false;
      function leave() {
        if (left) return;
        left = true;
        window.location.replace(neutral);
      }
      fetch(exitForm.action, { method: "POST", credentials: "same-origin", redirect: "manual", keepalive: true, cache: "no-store" })
        .then(leave, leave);
      window.setTimeout(leave, 700);
    });
  }
  // Ending the conversation on this device: the same POST as without the script, then the
  // empty page replaces this one, so Back has no chat to return to.
  var endForm = $("end-form");
  if (endForm && window.fetch) {
    endForm.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch(endForm.action, { method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store" })
        .then(function () {
          window.location.replace("/?lang=" + encodeURIComponent(lang) + "&ended=1");
        }, function () { say(form && form.getAttribute("data-msg-failed")); });
    });
  }
  var switches = doc.querySelectorAll("#language a");
  for (var i = 0; i < switches.length; i++) replacing(switches[i]);
  replacing($("refresh"), function () {
    if (live) sync();
    return live;
  });
  localTimes(doc);
  if (!list || !form || !box || !window.fetch) return;

  function lastSeq() {
    var items = list.querySelectorAll("li.msg");
    return items.length ? Number(items[items.length - 1].getAttribute("data-seq")) : 0;
  }

  function add(m) {
    if (!m || typeof m.seq !== "number" || typeof m.text !== "string") return;
    if (list.querySelector('li.msg[data-seq="' + m.seq + '"]')) return;
    var from = m.from === "staff" || m.from === "bot" ? m.from : "applicant";
    var li = doc.createElement("li");
    li.className = "msg from-" + from;
    li.setAttribute("data-seq", String(m.seq));
    var who = doc.createElement("span");
    who.className = "who";
    who.textContent = list.getAttribute("data-who-" + from) || from;
    var time = doc.createElement("time");
    time.setAttribute("datetime", String(m.at));
    var text = doc.createElement("p");
    text.className = "text";
    text.textContent = m.text;
    li.appendChild(who);
    li.appendChild(doc.createTextNode(" "));
    li.appendChild(time);
    li.appendChild(text);
    localTimes(li);
    // Keep seq order even when a late copy arrives out of turn.
    var later = null;
    var items = list.querySelectorAll("li.msg");
    for (var i = items.length - 1; i >= 0 && Number(items[i].getAttribute("data-seq")) > m.seq; i--) later = items[i];
    list.insertBefore(li, later);
    if (!later) showReplies(m);
    var empty = doc.querySelector(".scroller .empty");
    if (empty) empty.parentNode.removeChild(empty);
  }

  // The bot's buttons belong under its latest message only: replaced whenever one arrives. They
  // post as a plain form, as without a script.
  function showReplies(m) {
    var old = $("quick-replies-form");
    if (old) old.parentNode.removeChild(old);
    var replies = Array.isArray(m.quick_replies) ? m.quick_replies : [];
    if (!replies.length) return;
    var f = doc.createElement("form");
    f.id = "quick-replies-form";
    f.method = "post";
    f.action = "/chat/send";
    var lang = doc.createElement("input");
    lang.type = "hidden";
    lang.name = "lang";
    lang.value = form.querySelector('input[name="lang"]').value;
    f.appendChild(lang);
    var div = doc.createElement("div");
    div.id = "quick-replies";
    replies.forEach(function (r) {
      if (typeof r !== "string") return;
      var b = doc.createElement("button");
      b.className = "quick-reply";
      b.type = "submit";
      b.name = "text";
      b.value = r;
      b.textContent = r;
      div.appendChild(b);
    });
    f.appendChild(div);
    form.parentNode.insertBefore(f, form);
  }

  // Catches up through the API: after sending, on the refresh link, and when the stream is down.
  function sync() {
    return fetch("/api/v1/chat/messages?after=" + lastSeq(), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (page) { if (page && page.messages) page.messages.forEach(add); })
      .catch(function () {});
  }

  var delay = 1000;
  function listen() {
    if (listening) return;
    listening = true;
    if (!window.EventSource) {
      window.setInterval(sync, 5000);
      return;
    }
    var source = new EventSource("/api/v1/chat/events?after=" + lastSeq());
    source.addEventListener("message", function (e) {
      delay = 1000;
      try { add(JSON.parse(e.data)); } catch (ignored) { /* a broken event is skipped */ }
    });
    source.addEventListener("error", function () {
      // The browser retries by itself unless the server refused; then start over, slower.
      if (source.readyState === 2) {
        listening = false;
        window.setTimeout(function () { sync().then(listen); }, delay);
        delay = Math.min(delay * 2, 30000);
      }
    });
  }

  // The conversation exists now (its cookie came with a form's answer): go live.
  function start() {
    live = true;
    list.setAttribute("data-live", "1");
    if (endForm) endForm.hidden = false;
    sync().then(listen);
  }

  // A form posted by fetch: the server answers as without a script (a redirect to the page, or
  // the page itself), and the page's own #notice is the outcome, already in the right language.
  function postForm(f) {
    return fetch(f.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(f)) })
      .then(function (r) {
        return r.text().then(function (html) {
          var n = new DOMParser().parseFromString(html, "text/html").getElementById("notice");
          return { ok: r.ok, notice: n ? n.textContent : "" };
        });
      });
  }

  function postJson(text) {
    return fetch("/api/v1/chat/messages", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text })
    }).then(function (r) {
      if (r.status === 202) return { ok: true, notice: "" };
      return r.json().then(function (e) {
        var code = e && e.error;
        var id = code === "text_too_long" ? "data-msg-too-long" : code === "empty_text" ? "data-msg-empty"
          : code === "rate_limited" ? "data-msg-too-fast" : "data-msg-failed";
        return { ok: false, notice: form.getAttribute(id) };
      });
    });
  }

  function send() {
    if (!box.value.trim()) {
      say(form.getAttribute("data-msg-empty"));
      box.focus();
      return;
    }
    button.disabled = true;
    // The first message goes as the form does, so that its answer sets the cookie.
    var sending = live ? postJson(box.value) : postForm(form);
    sending
      .then(function (result) {
        say(result.notice);
        if (!result.ok) return;
        box.value = "";
        if (live) return sync();
        start();
      })
      .catch(function () { say(form.getAttribute("data-msg-failed")); })
      .then(function () {
        button.disabled = false;
        box.focus();
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send();
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      send();
    }
  });

  if (codeForm) {
    codeForm.addEventListener("submit", function (e) {
      e.preventDefault();
      postForm(codeForm)
        .then(function (result) {
          say(result.notice);
          codeForm.reset();
          if (result.ok && !live) start();
        })
        .catch(function () { say(form.getAttribute("data-msg-failed")); });
    });
  }

  if (live) listen();
})();
