// The issue form's bill of materials: when the firm picks another production line, fill the rows with that
// line's last job's materials, but only while the rows are still as they were filled (never over what was
// typed). Without this script the rows stay as the server filled them (the line in ?line=, or the first).
(function () {
  "use strict";
  const data = document.getElementById("bom-by-line");
  const select = document.querySelector("select[name=line]");
  const rows = [...document.querySelectorAll("[data-bom-row]")];
  if (!data || !select || !rows.length) return;
  const boms = JSON.parse(data.textContent);
  const FIELDS = ["material", "unit", "per_piece", "loss_pct", "unit_price"];
  const input = (row, f) => row.querySelector(`[name$="-${f}"]`);
  const read = () => rows.map((row) => FIELDS.map((f) => input(row, f).value).join("\u0001"));
  let filled = read();
  select.addEventListener("change", () => {
    const now = read();
    if (now.some((v, i) => v !== filled[i])) return; // typed by hand: keep it
    const bom = boms[select.value] || [];
    rows.forEach((row, i) => {
      const line = bom[i];
      FIELDS.forEach((f) => {
        const el = input(row, f);
        el.value = line ? line[f] : (f === "unit" ? el.querySelector("option").value : "");
      });
    });
    filled = read();
  });
})();
