// The courier's run (/m/run/): check-offs made without network are kept on the phone and sent later.
//
// Each stop form (form[data-queue]) is sent with fetch, asking for JSON. When the phone is offline or the
// request cannot reach the server, the form's fields (its key and CSRF token among them) are kept in
// localStorage, the stop says "已记下,未发送" and a banner counts what is waiting. When the network comes
// back ("online"), on every page load and every 30 s, the kept ones are sent one by one: dropped on an
// answer (done, or refused: the refusal's words stay on the stop), kept on a network error, a server error
// or an ended sign-in. The server counts a key once, so a check-off sent twice is recorded once. Without
// this script the forms post as plain forms.
(function () {
  "use strict";

  var STORE = "nuanxin-run-queue";
  var box = document.getElementById("queue");
  if (!box || !window.fetch || !window.localStorage) return;
  var banner = document.getElementById("queue-banner");
  var doneLine = document.getElementById("queue-done");
  var words = box.dataset;

  var load = function () {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  };
  var save = function (queue) {
    try { localStorage.setItem(STORE, JSON.stringify(queue)); } catch (e) { /* full: nothing to do */ }
  };
  var drop = function (key) { save(load().filter(function (q) { return q.key !== key; })); };
  var keep = function (item) {
    var queue = load().filter(function (q) { return q.key !== item.key; });
    queue.push(item);
    save(queue);
  };

  var showBanner = function () {
    var n = load().length;
    banner.dataset.count = String(n);
    banner.textContent = words.template.replace("{n}", n);
    banner.hidden = n === 0;
  };

  // A stop's card: "queued" (kept, not yet sent), "sending", "sent" (with the server's words) or
  // "refused" (the words, and the form back to try again).
  var mark = function (stopId, state, text) {
    var card = document.getElementById("stop-" + stopId);
    if (!card) return;
    var form = card.querySelector("form[data-queue]");
    var note = card.querySelector("[data-note]");
    card.dataset.queue = state;
    note.hidden = false;
    note.className = "stop-note" + (state === "sent" ? " sent" : "");
    if (state === "queued") note.textContent = words.queued;
    else if (state === "sending") note.textContent = words.sending;
    else if (state === "sent") note.textContent = words.sent + " " + (text || "");
    else note.textContent = words.refused + (text || "");
    if (form) form.hidden = state !== "refused";
  };

  var fieldsOf = function (form, submitter) {
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, String(value)]); });
    if (submitter && submitter.name) fields.push([submitter.name, submitter.value]);
    return fields;
  };

  var pageToken = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Send one kept check-off: resolves to {result: "ok" | "refused" | "keep", text}.
  var send = function (item, token) {
    var body = new URLSearchParams();
    item.fields.forEach(function (f) {
      body.append(f[0], f[0] === "csrfmiddlewaretoken" && token ? token : f[1]);
    });
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        if (res.redirected && res.url.indexOf("/m/login/") !== -1) return { result: "keep", text: words.login };
        // A CSRF refusal after signing in again (a new token): once more with this page's token.
        if (res.status === 403 && !token && pageToken()) return send(item, pageToken());
        return { result: "keep", text: "" };
      }
      return res.json().then(function (data) {
        if (res.ok && data.ok) return { result: "ok", text: data.message };
        if (res.status >= 500) return { result: "keep", text: "" };
        return { result: "refused", text: data.error };
      });
    }, function () {
      return { result: "keep", text: "" };
    });
  };

  var flushing = false;
  var flush = function () {
    if (flushing || !navigator.onLine || !load().length) return Promise.resolve();
    flushing = true;
    var sent = 0;
    var step = function (queue) {
      if (!queue.length) return Promise.resolve();
      var item = queue[0];
      mark(item.stop, "sending");
      return send(item, "").then(function (answer) {
        if (answer.result === "keep") {
          mark(item.stop, "queued");
          if (answer.text) banner.textContent = words.template.replace("{n}", load().length) + " " + answer.text;
          return; // the network (or the sign-in) is gone again: try later
        }
        drop(item.key);
        if (answer.result === "ok") sent += 1;
        mark(item.stop, answer.result === "ok" ? "sent" : "refused", answer.text);
        showBanner();
        return step(queue.slice(1));
      });
    };
    return step(load()).then(function () {
      flushing = false;
      showBanner();
      if (sent) {
        doneLine.textContent = words.flushed.replace("{n}", sent);
        doneLine.hidden = false;
      }
    });
  };

  document.querySelectorAll("form[data-queue]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var item = {
        key: form.elements.key.value,
        stop: form.dataset.stop,
        url: form.action,
        fields: fieldsOf(form, event.submitter),
        at: Date.now(),
      };
      if (!navigator.onLine) {
        keep(item);
        mark(item.stop, "queued");
        showBanner();
        return;
      }
      mark(item.stop, "sending");
      send(item, "").then(function (answer) {
        if (answer.result === "keep") {
          keep(item);
          mark(item.stop, "queued");
          showBanner();
          if (answer.text) banner.textContent += " " + answer.text;
          return;
        }
        mark(item.stop, answer.result === "ok" ? "sent" : "refused", answer.text);
      });
    });
  });

  // What was kept before this page was loaded: say so on its stop, then try to send it.
  load().forEach(function (item) { mark(item.stop, "queued"); });
  showBanner();
  // The "online" event is not always fired (some phones, some browser versions when the network comes
  // back): a kept check-off is also tried every few seconds, which costs nothing while none is kept.
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
  window.setInterval(flush, 5000);
  flush();
})();
