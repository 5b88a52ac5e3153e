// The import's page (import_status.html): asks how far the reading is every 3 s and updates the progress in
// place (its text is a polite live region); opens the draft when it is read, shows the reason when it failed.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || !box.dataset.running) { return; }
  var url = box.dataset.statusUrl;
  var text = document.getElementById("import-progress-text");
  var bar = document.getElementById("import-progress");
  var lang = document.documentElement.lang || "th";
  function thai(n) { return lang === "en" ? String(n) : String(n).replace(/[0-9]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙"[+d]; }); }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 6000); return; }
        if (s.state === "done" && s.draft_url) { window.location.assign(s.draft_url); return; }
        if (s.state === "failed") { window.location.reload(); return; }
        if (s.pages_total) {
          bar.max = s.pages_total; bar.value = s.pages_done;
          text.textContent = lang === "en" ? "Read " + s.pages_done + " of " + s.pages_total + " pages"
            : "อ่านแล้ว " + thai(s.pages_done) + " จาก " + thai(s.pages_total) + " หน้า";
        }
        setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 6000); });
  }
  setTimeout(poll, 3000);
})();
