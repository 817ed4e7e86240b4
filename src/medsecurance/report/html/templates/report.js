/* medsecurance report: finding filters, expandable rows, diagram zoom. No network, no dependencies. */
(function () {
  "use strict";
  var table = document.getElementById("ftable");
  if (table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody.frow"));
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var selects = Array.prototype.slice.call(document.querySelectorAll(".filters select[data-filter]"));
    var q = document.getElementById("q");
    var el = document.getElementById("el");
    var count = document.getElementById("fcount");
    var apply = function () {
      var text = (q.value || "").trim().toLowerCase();
      var elem = (el.value || "").trim();
      var shown = 0;
      rows.forEach(function (row, i) {
        var ok = selects.every(function (s) { return !s.value || row.getAttribute("data-" + s.getAttribute("data-filter")) === s.value; });
        if (ok && text) { ok = text.split(/\s+/).every(function (w) { return texts[i].indexOf(w) >= 0; }); }
        if (ok && elem) { ok = row.getAttribute("data-elements").indexOf(" " + elem) >= 0; }
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " shown";
    };
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    q.addEventListener("input", apply);
    el.addEventListener("input", apply);
    var toggle = function (summary) {
      var body = summary.parentNode;
      var open = body.classList.toggle("open");
      summary.setAttribute("aria-expanded", open ? "true" : "false");
    };
    table.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { return; }
      var summary = ev.target.closest("tr.fsum");
      if (summary) { toggle(summary); }
    });
    table.addEventListener("keydown", function (ev) {
      var summary = ev.target.closest("tr.fsum");
      if (summary && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); toggle(summary); }
    });
    var openTarget = function () {
      var id = decodeURIComponent(location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target && target.classList.contains("frow")) {
        target.hidden = false;
        target.classList.add("open");
      }
    };
    window.addEventListener("hashchange", openTarget);
    openTarget();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".svgbox"), function (box) {
    box.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { return; }
      box.classList.toggle("full");
    });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
