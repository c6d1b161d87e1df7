// The BOM structure report: collapse and expand a sub-assembly's rows (a row's data-parent is
// the key of the sub-assembly row above it), expand or collapse all, print. A static file: the
// admin's Content-Security-Policy allows no inline script.
"use strict";
(function () {
  function table() { return document.getElementById("structure-tree"); }

  function descendants(key) {
    var rows = [], queue = [key];
    while (queue.length) {
      var parent = queue.shift();
      table().querySelectorAll('tr[data-parent="' + parent + '"]').forEach(function (row) {
        rows.push(row);
        queue.push(row.id);
      });
    }
    return rows;
  }

  function setOpen(row, open) {
    row.classList.toggle("collapsed", !open);
    var button = row.querySelector(".toggle");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
    // Showing a row shows its own children only if it is open itself.
    descendants(row.id).forEach(function (child) { child.hidden = !open; });
    if (open) {
      descendants(row.id).forEach(function (child) {
        if (child.classList.contains("collapsed")) {
          descendants(child.id).forEach(function (grandchild) { grandchild.hidden = true; });
        }
      });
    }
  }

  function all(open) {
    table().querySelectorAll("tr.sub").forEach(function (row) {
      row.classList.toggle("collapsed", !open);
      var button = row.querySelector(".toggle");
      if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
    });
    table().querySelectorAll("tbody tr").forEach(function (row) {
      if (row.dataset.parent) { row.hidden = !open; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!table()) { return; }
    table().addEventListener("click", function (event) {
      var button = event.target.closest(".toggle");
      if (!button) { return; }
      var row = button.closest("tr");
      setOpen(row, row.classList.contains("collapsed"));
    });
    document.getElementById("structure-expand").addEventListener("click", function () { all(true); });
    document.getElementById("structure-collapse").addEventListener("click", function () { all(false); });
    document.getElementById("structure-print").addEventListener("click", function () { window.print(); });
  });
})();
