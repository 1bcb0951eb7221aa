/* Nuanxin dashboard: charts (ECharts, vendored), the dispatch form's live totals, the inspection
   forms' live passed pieces, export progress.
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
      /* SVG, so the labels are text a screen reader and a test can read. Every label sits to the right of
         its own bar, past the bar's widest edge, and wraps within the room left: it never lies across a
         bar however narrow the bar, and never leaves the chart however narrow the window. */
      var f = echarts.init(funnel, null, { renderer: "svg" });
      var palette = ["#fdba74", "#fb923c", "#f97316", "#ea580c", "#c2410c", "#9a3412", "#7c2d12", "#431407"];
      var funnelOption = function () {
        var w = funnel.clientWidth, pad = 8, gap = 2;
        var barsWidth = Math.round(w * 0.5), minSize = Math.max(4, Math.round(barsWidth * 0.04));
        var top = Math.max(1, Math.max.apply(null, data.funnel.map(function (d) { return d.value; })));
        var size = function (v) { return minSize + (barsWidth - minSize) * Math.min(v || 0, top) / top; };
        var centre = pad + barsWidth / 2;
        return {
          tooltip: { trigger: "item", formatter: "{b}: {c}" },
          color: palette,
          series: [{
            type: "funnel", sort: "none", left: pad, top: pad, bottom: pad, width: barsWidth, min: 0, max: top,
            minSize: minSize, maxSize: barsWidth, gap: gap,
            label: { show: true, position: "right", formatter: "{b} {c}", color: "#1f2328", fontSize: 13,
                     overflow: "break", lineHeight: 16 },
            labelLine: { show: true, lineStyle: { color: "#8b949e" } },
            data: data.funnel.map(function (d, i) {
              var next = data.funnel[i + 1];
              var topWidth = size(d.value), bottomWidth = next ? size(next.value) : minSize;
              // ECharts starts the line at the middle of the bar's right edge; the bar reaches out a
              // quarter of the difference of its edges further at its wider end: the line clears that.
              var line = Math.abs(topWidth - bottomWidth) / 4 + 10;
              var textX = centre + (topWidth + bottomWidth) / 4 + line + 5;
              return {
                name: d.name, value: d.value, state: d.state,
                labelLine: { length: line },
                label: { width: Math.max(40, Math.floor(w - textX - pad)) }
              };
            })
          }]
        };
      };
      f.setOption(funnelOption());
      f.on("click", function (p) {
        if (p.data && p.data.state) window.location = funnel.dataset.href + "&reached=" + p.data.state;
      });
      made.push({ resize: function () { f.resize(); f.setOption(funnelOption()); } });
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

  /* Whole pieces split in proportion, as dashboard.services.split_proportionally does on the server:
     each part rounded down, then the pieces left over one each to the largest remainders (ties to the
     larger weight, then the earlier row). Null when total is out of range. */
  function splitProportionally(total, weights) {
    var whole = weights.reduce(function (a, b) { return a + b; }, 0);
    if (total < 0 || total > whole) return null;
    if (total === 0) return weights.map(function () { return 0; });
    var parts = weights.map(function (w) { return Math.floor(total * w / whole); });
    var left = total - parts.reduce(function (a, b) { return a + b; }, 0);
    var order = weights.map(function (w, i) { return i; }).sort(function (i, j) {
      return ((total * weights[j]) % whole) - ((total * weights[i]) % whole) || weights[j] - weights[i] || i - j;
    });
    for (var k = 0; k < order.length && left > 0; k++) {
      if (parts[order[k]] < weights[order[k]]) { parts[order[k]] += 1; left -= 1; }
    }
    return parts;
  }

  function whole(input) {
    var raw = input ? input.value.trim() : "";
    if (raw === "") return 0;
    return /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
  }

  /* The inspection page: a row's passed pieces drop as its rejected ones are typed; the lot form shows
     its passed total and each worker's part. The server checks the numbers again on submit. */
  function inspectForms() {
    var rowsForm = document.querySelector("form[data-inspect=assignment]");
    if (rowsForm) {
      Array.prototype.forEach.call(rowsForm.querySelectorAll("tr[data-sent]"), function (row) {
        var sent = parseInt(row.dataset.sent, 10);
        var passed = row.querySelector("input[name$='-passed']");
        var rejected = row.querySelector("input[name$='-rejected']");
        if (!passed || !rejected) return;
        rejected.addEventListener("input", function () {
          var n = whole(rejected);
          var ok = !isNaN(n) && n <= sent;
          row.classList.toggle("row-error", !ok);
          rejected.setCustomValidity(ok ? "" : rowsForm.dataset.msgOver);
          if (ok) passed.value = sent - n;
        });
      });
    }
    var lot = document.querySelector("form[data-inspect=lot]");
    if (!lot) return;
    var total = parseInt(lot.dataset.lotTotal, 10);
    var rejectedInput = lot.querySelector("input[name=rejected]");
    var reworkInput = lot.querySelector("input[name=rework]");
    var passedOut = lot.querySelector("[data-lot-passed]");
    var status = lot.querySelector("[data-lot-status]");
    var rows = Array.prototype.slice.call(lot.querySelectorAll("[data-lot-split] tr[data-share]"));
    var sizes = rows.map(function (r) { return parseInt(r.dataset.share, 10); });
    function redraw() {
      var rejected = whole(rejectedInput), rework = whole(reworkInput);
      var rejectedParts = isNaN(rejected) ? null : splitProportionally(rejected, sizes);
      var reworkParts = rejectedParts && !isNaN(rework) ? splitProportionally(rework, rejectedParts) : null;
      lot.classList.toggle("over", !reworkParts);
      status.textContent = reworkParts ? "" : lot.dataset.msgRange;
      if (!reworkParts) return;
      passedOut.textContent = total - rejected;
      rows.forEach(function (row, i) {
        row.querySelector("[data-passed]").textContent = sizes[i] - rejectedParts[i];
        row.querySelector("[data-rejected]").textContent = rejectedParts[i];
        row.querySelector("[data-rework]").textContent = reworkParts[i];
      });
    }
    [rejectedInput, reworkInput].forEach(function (input) { input.addEventListener("input", redraw); });
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
          if (s.status === "failed") {
            err.textContent = s.error; err.hidden = false;
            var retry = box.querySelector("[data-retry]");
            if (retry) retry.hidden = false;
            return;
          }
          setTimeout(poll, 800);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    if (box.dataset.state !== "done" && box.dataset.state !== "failed") poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts(); dispatchForm(); inspectForms(); exportProgress();
  });
})();
