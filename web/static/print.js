/* The dashboard's print button (a script file: the pages allow no inline script). */
document.querySelectorAll("button.print").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
