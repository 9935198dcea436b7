// hvemu ui: progressive enhancement only (the page works without it).
// - the Status column follows a running merge (polls /api/vms every second while one runs; on a
//   real clock every 5 seconds anyway, so that Uptime and the host's time follow real time);
// - "Copy as mermaid" copies the disk chain's mermaid text;
// - arrow keys move through the checkpoint tree; Tab stays in an open dialog; Escape closes it.
"use strict";
(function () {
  function pollStatus() {
    fetch("/api/vms", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.vms.forEach(function (vm) {
          var row = document.querySelector('tr[data-vm="' + CSS.escape(vm.id) + '"]');
          if (!row) { return; }
          row.querySelector(".status").textContent = vm.status;
          row.querySelector(".state").textContent = vm.state;
          row.querySelector(".uptime").textContent = vm.uptime;
        });
        var clock = document.getElementById("host-time");
        if (clock && data.now) { clock.textContent = data.now; }
        document.body.dataset.merging = data.merging ? "true" : "false";
        schedule();
      })
      .catch(function () { window.setTimeout(pollStatus, 5000); });
  }

  function schedule() {
    if (document.body.dataset.merging === "true") { window.setTimeout(pollStatus, 1000); }
    else if (document.body.dataset.clock === "real") { window.setTimeout(pollStatus, 5000); }
  }

  function enableCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.querySelector(button.dataset.copy).textContent;
        var done = function () { button.textContent = "Copied"; window.setTimeout(function () { button.textContent = "Copy as mermaid"; }, 1500); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
        } else { fallbackCopy(text); done(); }
      });
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "absolute"; area.style.left = "-9999px";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays visible under "Mermaid text" */ }
    document.body.removeChild(area);
  }

  function treeKeys() {
    var tree = document.querySelector(".tree");
    if (!tree) { return; }
    tree.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Home" && event.key !== "End") { return; }
      var rows = Array.prototype.slice.call(tree.querySelectorAll("a.tree-row"));
      var i = rows.indexOf(document.activeElement);
      if (!rows.length) { return; }
      var next = event.key === "Home" ? 0 : event.key === "End" ? rows.length - 1
        : event.key === "ArrowDown" ? Math.min(i + 1, rows.length - 1) : Math.max(i - 1, 0);
      rows[next].focus();
      event.preventDefault();
    });
  }

  function dialogKeys() {
    var dialog = document.querySelector(".dialog");
    if (!dialog) { return; }
    var focusable = dialog.querySelector("[autofocus]") || dialog.querySelector("button, a, input");
    if (focusable) { focusable.focus(); }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {  // focus stays in the dialog (the page behind it is inert)
        var items = Array.prototype.slice.call(dialog.querySelectorAll("a[href], button, input"));
        if (!items.length) { return; }
        var first = items[0], last = items[items.length - 1];
        var inside = dialog.contains(document.activeElement);
        if (event.shiftKey && (document.activeElement === first || !inside)) { last.focus(); event.preventDefault(); }
        else if (!event.shiftKey && (document.activeElement === last || !inside)) { first.focus(); event.preventDefault(); }
      }
      if (event.key === "Escape") {
        var cancel = dialog.querySelector("a.button");
        if (cancel) { window.location.href = cancel.href; }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopy();
    treeKeys();
    dialogKeys();
    schedule();
  });
})();
