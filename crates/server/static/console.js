/* Safe Passage: console.js. Live updates only; every page works without it.
   The queue table is re-read when the server signals a change; a conversation's new messages
   are appended as they arrive. Requests made here carry X-Console-Live so that they do not
   keep an abandoned session alive. */
(function () {
  'use strict';
  if (!window.EventSource || !window.fetch) return;

  function onExpiry(source) {
    // The session is over: reloading lands on the login page with the reason.
    source.addEventListener('expired', function () {
      source.close();
      window.location.reload();
    });
  }

  var queue = document.getElementById('queue');
  if (queue) {
    var busy = false;
    var again = false;
    var refresh = function () {
      if (busy) { again = true; return; }
      busy = true;
      var current = document.getElementById('queue');
      fetch(current.getAttribute('data-fragment'), {
        headers: { 'X-Console-Live': '1' },
        credentials: 'same-origin',
        redirect: 'manual'
      }).then(function (response) {
        if (response.type === 'opaqueredirect' || !response.ok) {
          window.location.reload();
          return null;
        }
        return response.text();
      }).then(function (html) {
        if (html === null) return;
        var holder = document.createElement('template');
        holder.innerHTML = html;
        var fresh = holder.content.querySelector('#queue');
        if (fresh) document.getElementById('queue').replaceWith(fresh);
      }).catch(function () {
        /* The next signal or tick tries again. */
      }).then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
    };
    var queueEvents = new EventSource(queue.getAttribute('data-events'));
    queueEvents.addEventListener('queue', refresh);
    queueEvents.addEventListener('reload', refresh);
    onExpiry(queueEvents);
    // Waiting times move on even when nothing else changes.
    window.setInterval(refresh, 30000);
  }

  // Case lists: the applicant of a listed case made contact; re-read the page.
  var caseList = document.querySelector('[data-case-events]');
  if (caseList) {
    var caseEvents = new EventSource(caseList.getAttribute('data-case-events'));
    caseEvents.addEventListener('contact', function () { window.location.reload(); });
    caseEvents.addEventListener('unassigned', function () { window.location.reload(); });
    caseEvents.addEventListener('reload', function () { window.location.reload(); });
    onExpiry(caseEvents);
  }

  var transcript = document.getElementById('transcript');
  if (transcript) {
    var senders = ['applicant', 'bot', 'staff'];
    var url = transcript.getAttribute('data-events') + '?after=' +
      encodeURIComponent(transcript.getAttribute('data-after') || '0');
    var messages = new EventSource(url);
    messages.addEventListener('message', function (event) {
      var m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      var seq = String(Number(m.seq));
      if (transcript.querySelector('li[data-seq="' + seq + '"]')) return;
      var from = senders.indexOf(m.from) >= 0 ? m.from : 'bot';
      var li = document.createElement('li');
      li.className = 'msg from-' + from;
      li.setAttribute('data-seq', seq);
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = transcript.getAttribute('data-label-' + from) || from;
      var time = document.createElement('time');
      time.textContent = m.at;
      var text = document.createElement('p');
      text.className = 'text';
      text.textContent = m.text;
      var via = document.createElement('span');
      via.className = 'via';
      via.textContent = transcript.getAttribute('data-via') || '';
      li.appendChild(who);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(via);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(time);
      li.appendChild(text);
      transcript.appendChild(li);
    });
    messages.addEventListener('reload', function () { window.location.reload(); });
    onExpiry(messages);
  }
})();
