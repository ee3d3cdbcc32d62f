/* The receipt page: copy the case number and receipt code, print the page. The buttons
   stay hidden without JS (the page says to write the code down). No inline script: the
   site's CSP allows only its own files. */
(function () {
  "use strict";
  function factsText(id) {
    var box = document.getElementById(id);
    if (!box) { return ""; }
    var lines = [];
    Array.prototype.forEach.call(box.querySelectorAll("div"), function (row) {
      var dt = row.querySelector("dt"), dd = row.querySelector("dd");
      if (dt && dd) { lines.push(dt.textContent.trim() + "：" + dd.textContent.trim()); }
    });
    return lines.join("\n");
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector(".receipt-copied");
    Array.prototype.forEach.call(document.querySelectorAll("[data-receipt-copy]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = factsText(button.getAttribute("data-receipt-copy"));
        var done = function (ok) {
          if (status) { status.textContent = button.getAttribute(ok ? "data-copied" : "data-failed"); }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
        } else {
          done(fallbackCopy(text));
        }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-receipt-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
}());
