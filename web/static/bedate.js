/* A Buddhist Era date picker for text fields of class "be-date" (dd/mm/yyyy BE). The field stays a plain text
   field (typing works, and without JavaScript nothing is lost); a button beside it opens a month grid with
   Thai month names and BE years. Keyboard: Tab to the button, Enter; arrows move the day; Escape closes. */
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";
  var MONTHS = en ? ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    : ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
       "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
  var DAYS = en ? ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"] : ["อา", "จ", "อ", "พ", "พฤ", "ศ", "ส"];
  var THAI = "๐๑๒๓๔๕๖๗๘๙";
  function arabic(text) { return text.replace(/[๐-๙]/g, function (c) { return String(THAI.indexOf(c)); }); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function read(text) {
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(arabic(text || ""));
    if (!m) { return null; }
    var year = +m[3] > 2400 ? +m[3] - 543 : +m[3];
    return new Date(year, +m[2] - 1, +m[1]);
  }
  function write(day) { return pad(day.getDate()) + "/" + pad(day.getMonth() + 1) + "/" + (day.getFullYear() + 543); }
  /* Weekends and Thai public holidays (the page's #be-holidays: ISO day -> name) are marked in the grid and
     said beside the field: a deadline there is moved to a working day when the measures are loaded. */
  var holidayData = document.getElementById("be-holidays");
  var HOLIDAYS = holidayData ? JSON.parse(holidayData.textContent || "{}") : {};
  function iso(day) { return day.getFullYear() + "-" + pad(day.getMonth() + 1) + "-" + pad(day.getDate()); }
  function offReason(day) {
    if (day.getDay() === 6) { return en ? "Saturday" : "วันเสาร์"; }
    if (day.getDay() === 0) { return en ? "Sunday" : "วันอาทิตย์"; }
    return HOLIDAYS[iso(day)] || null;
  }
  function sayOff(input) {
    var note = document.querySelector('.day-off[data-for="' + input.id + '"]');
    if (!note) { return; }
    var day = read(input.value);
    var why = day ? offReason(day) : null;
    note.textContent = why ? (en ? "Falls on " + why + ": moved to a working day when loaded" : "ตรงกับ" + why + " เมื่อยืนยันจะเลื่อนเป็นวันทำการ") : "";
  }

  function attach(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "be-date-open";
    button.textContent = en ? "Calendar" : "ปฏิทิน";
    button.setAttribute("aria-label", (en ? "Choose a date: " : "เลือกวันที่: ") + (input.labels[0] ? input.labels[0].textContent : ""));
    button.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", button);
    var panel = null;
    function close(focus) {
      if (panel) { panel.remove(); panel = null; button.setAttribute("aria-expanded", "false"); if (focus) { button.focus(); } }
    }
    function open() {
      var shown = read(input.value) || new Date();
      panel = document.createElement("div");
      panel.className = "be-date-panel";
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", en ? "Calendar (Buddhist Era)" : "ปฏิทิน (พ.ศ.)");
      button.insertAdjacentElement("afterend", panel);
      button.setAttribute("aria-expanded", "true");
      draw(shown, shown.getDate());
    }
    function draw(month, focusDay) {
      panel.textContent = "";
      var head = document.createElement("div");
      head.className = "be-date-head";
      var prev = document.createElement("button");
      prev.type = "button"; prev.textContent = "‹"; prev.setAttribute("aria-label", en ? "Previous month" : "เดือนก่อน");
      var next = document.createElement("button");
      next.type = "button"; next.textContent = "›"; next.setAttribute("aria-label", en ? "Next month" : "เดือนถัดไป");
      var title = document.createElement("span");
      title.setAttribute("aria-live", "polite");
      title.textContent = MONTHS[month.getMonth()] + " " + (month.getFullYear() + 543);
      prev.onclick = function () { draw(new Date(month.getFullYear(), month.getMonth() - 1, 1), 1); };
      next.onclick = function () { draw(new Date(month.getFullYear(), month.getMonth() + 1, 1), 1); };
      head.append(prev, title, next);
      panel.append(head);
      var grid = document.createElement("div");
      grid.className = "be-date-grid";
      DAYS.forEach(function (d) { var s = document.createElement("span"); s.textContent = d; s.setAttribute("aria-hidden", "true"); grid.append(s); });
      var first = new Date(month.getFullYear(), month.getMonth(), 1);
      for (var i = 0; i < first.getDay(); i++) { grid.append(document.createElement("span")); }
      var last = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
      var target = null;
      for (var d = 1; d <= last; d++) {
        var day = new Date(month.getFullYear(), month.getMonth(), d);
        var b = document.createElement("button");
        b.type = "button"; b.textContent = String(d);
        var why = offReason(day);
        b.setAttribute("aria-label", d + " " + MONTHS[day.getMonth()] + " " + (day.getFullYear() + 543) + (why ? " (" + why + ")" : ""));
        if (why) { b.className = "off"; b.title = why; }
        b.dataset.day = String(d);
        b.onclick = (function (chosen) { return function () { input.value = write(chosen); close(true); input.dispatchEvent(new Event("change")); }; })(day);
        if (d === Math.min(focusDay, last)) { target = b; }
        grid.append(b);
      }
      grid.onkeydown = function (e) {
        var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
        if (!(e.key in moves) || !e.target.dataset.day) { return; }
        e.preventDefault();
        var to = new Date(month.getFullYear(), month.getMonth(), +e.target.dataset.day + moves[e.key]);
        if (to.getMonth() !== month.getMonth()) { draw(new Date(to.getFullYear(), to.getMonth(), 1), to.getDate()); }
        else { grid.querySelector('[data-day="' + to.getDate() + '"]').focus(); }
      };
      panel.append(grid);
      if (target) { target.focus(); }
    }
    button.onclick = function () { if (panel) { close(true); } else { open(); } };
    input.addEventListener("change", function () { sayOff(input); });
    input.parentElement.addEventListener("keydown", function (e) { if (e.key === "Escape" && panel) { close(true); } });
  }
  document.querySelectorAll("input.be-date").forEach(attach);
})();
