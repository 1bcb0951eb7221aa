// Nuanxin worker pages: small additions on top of plain forms that work without this script.
(function () {
  "use strict";

  // − / + beside the number box (the number pad still works without them).
  document.querySelectorAll(".stepper").forEach(function (box) {
    var input = box.querySelector("input");
    box.querySelectorAll("button[data-step]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var max = parseInt(input.max, 10) || Infinity;
        var n = (parseInt(input.value, 10) || 0) + parseInt(btn.dataset.step, 10);
        input.value = Math.max(1, Math.min(max, n));
      });
    });
  });

  // Show the PIN digits on request: many of our workers cannot see the dots.
  var showPin = document.getElementById("show-pin");
  if (showPin) {
    var pin = document.querySelector("input[name=pin]");
    document.getElementById("show-pin-label").hidden = false;
    showPin.addEventListener("change", function () { pin.type = showPin.checked ? "text" : "password"; });
  }

  // A form being sent says so, so nobody taps again and again (a second tap would count once anyway).
  // (A courier's stop forms, data-queue, are sent by m-run.js, which says so itself.)
  document.querySelectorAll("form[method=post]:not([data-queue])").forEach(function (form) {
    form.addEventListener("submit", function () {
      var btn = form.querySelector("button[type=submit]");
      if (btn && document.body.dataset.sending) { btn.textContent = document.body.dataset.sending; }
    });
  });

  // "读给我听": read the page's instructions and figures aloud, where the phone can speak Chinese.
  var speak = document.getElementById("speak");
  var synth = window.speechSynthesis;
  if (speak && synth && window.SpeechSynthesisUtterance) {
    var voice = null;
    var findVoice = function () {
      var voices = synth.getVoices() || [];
      var want = /^en/i.test(document.documentElement.lang) ? /^en/i : /^zh([-_](CN|Hans))?/i;
      voice = voices.filter(function (v) { return want.test(v.lang); })[0] || null;
      speak.hidden = !voice;
    };
    findVoice();
    if (synth.addEventListener) synth.addEventListener("voiceschanged", findVoice);
    speak.addEventListener("click", function () {
      if (synth.speaking) { synth.cancel(); speak.textContent = speak.dataset.label; return; }
      var parts = [];
      document.querySelectorAll("[data-speak]").forEach(function (el) { parts.push(el.innerText.replace(/\s+/g, " ").trim()); });
      var u = new SpeechSynthesisUtterance(parts.join("。 "));
      u.lang = voice ? voice.lang : "zh-CN";
      try { u.voice = voice; } catch (e) { /* the language alone picks a voice */ }
      u.rate = 0.9;
      u.onend = function () { speak.textContent = speak.dataset.label; };
      speak.textContent = speak.dataset.stop;
      synth.speak(u);
    });
  }

  // A print button (the wage slip): the phone's own print or save-as-PDF.
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () { window.print(); });
  });

  // The offline page, when the network is down.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () {});
  }
})();
