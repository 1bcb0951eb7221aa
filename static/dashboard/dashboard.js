/* Nuanxin dashboard: charts (ECharts, vendored), the dispatch form's live totals, export progress.
   Every page works without this script: charts have text next to them, the dispatch form is checked
   again on the server, and the export page refreshes itself. */
(function () {
  "use strict";

  function charts() {
    var holder = document.getElementById("dash-charts");
    if (!holder || !window.echarts) return;
    var data = JSON.parse(holder.textContent);
    var made = [];
    var accent = "#c2410c";

    var funnel = document.querySelector("[data-chart=funnel]");
    if (funnel) {
      var f = echarts.init(funnel);
      f.setOption({
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%", gap: 2,
          label: { show: true, position: "inside", formatter: "{b} {c}" },
          data: data.funnel.map(function (d) { return { name: d.name, value: d.value, state: d.state }; })
        }],
        color: ["#fdba74", "#fb923c", "#f97316", "#ea580c", "#c2410c", "#9a3412", "#7c2d12"]
      });
      f.on("click", function (p) {
        if (p.data && p.data.state) window.location = funnel.dataset.href + "&state=" + p.data.state;
      });
      made.push(f);
    }

    var daily = document.querySelector("[data-chart=daily]");
    if (daily) {
      var d = echarts.init(daily);
      d.setOption({
        grid: { left: 50, right: 20, top: 20, bottom: 40 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.daily.map(function (r) { return r[0]; }) },
        yAxis: { type: "value", name: data.labels.pieces },
        series: [{ type: "bar", name: data.labels.pieces, data: data.daily.map(function (r) { return r[1]; }),
                   itemStyle: { color: accent } }]
      });
      made.push(d);
    }

    var savings = document.querySelector("[data-chart=savings]");
    if (savings) {
      var s = echarts.init(savings);
      s.setOption({
        grid: { left: 10, right: 40, top: 10, bottom: 20, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", name: data.labels.savings },
        yAxis: { type: "category", inverse: true, data: data.savings.map(function (r) { return r.name; }) },
        series: [{
          type: "bar", name: data.labels.savings, itemStyle: { color: accent },
          data: data.savings.map(function (r) { return r.value; }),
          markLine: { symbol: "none", lineStyle: { color: "#1a7f37", type: "dashed" },
                      label: { formatter: data.labels.goal }, data: [{ xAxis: data.goal }] }
        }]
      });
      made.push(s);
    }
    window.addEventListener("resize", function () { made.forEach(function (c) { c.resize(); }); });
  }

  /* The head's dispatch form: totals and warnings as you type (in the bar kept at the window's bottom);
     submit is disabled while over. */
  function dispatchForm() {
    var form = document.querySelector("form[data-dispatch]");
    if (!form) return;
    var unassigned = parseInt(form.dataset.unassigned, 10);
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-spare]"));
    var total = form.querySelector("[data-total]");
    var left = form.querySelector("[data-left]");
    var status = form.querySelector("[data-status]");
    var submit = form.querySelector("button[type=submit]");
    function check() {
      var sum = 0, bad = false;
      inputs.forEach(function (input) {
        var raw = input.value.trim();
        var row = input.closest("tr");
        var note = row.querySelector("[data-note]");
        var ok = raw === "" || /^\d+$/.test(raw);
        var n = ok && raw !== "" ? parseInt(raw, 10) : 0;
        row.classList.toggle("row-error", !ok);
        row.classList.toggle("row-warn", ok && n > parseInt(input.dataset.spare, 10));
        if (note) {
          note.textContent = !ok ? form.dataset.msgInt
            : (n > parseInt(input.dataset.spare, 10) ? form.dataset.msgSpare : "");
        }
        if (!ok) {
          bad = true;
          var fold = row.closest("details");
          if (fold) fold.open = true;  // never a hidden row in the way of the button
        }
        sum += n;
      });
      total.textContent = sum;
      left.textContent = unassigned - sum;
      var over = sum > unassigned;
      form.classList.toggle("over", over);
      status.textContent = bad ? form.dataset.msgInt : over ? form.dataset.msgOver
        : sum === 0 ? form.dataset.msgEmpty : "";
      submit.disabled = bad || over || sum === 0;
    }
    inputs.forEach(function (input) { input.addEventListener("input", check); });
    check();
  }

  /* An export's progress bar: poll the small JSON endpoint until done or failed. */
  function exportProgress() {
    var box = document.querySelector("[data-export-status]");
    if (!box) return;
    var bar = box.querySelector(".progress > span");
    var label = box.querySelector("[data-label]");
    var link = box.querySelector("[data-download]");
    var err = box.querySelector("[data-error]");
    function poll() {
      fetch(box.dataset.exportStatus, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.style.width = s.percent + "%";
          box.querySelector(".progress").setAttribute("aria-valuenow", s.percent);
          label.textContent = s.status_label + " · " + s.rows_done + " / " + s.rows_total + " (" + s.percent + "%)";
          box.dataset.state = s.status;
          if (s.status === "done") { link.href = s.download; link.hidden = false; return; }
          if (s.status === "failed") { err.textContent = s.error; err.hidden = false; return; }
          setTimeout(poll, 800);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    if (box.dataset.state !== "done" && box.dataset.state !== "failed") poll();
  }

  document.addEventListener("DOMContentLoaded", function () { charts(); dispatchForm(); exportProgress(); });
})();
