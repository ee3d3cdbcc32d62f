/* 适老化 switch: large text and high contrast. The buttons also work without JS
   (they post to core:display, which sets the same cookie). With JS the choice is
   applied at once, kept in localStorage, and mirrored in the cookie so that the
   server renders the next page the same way. */
(function () {
  "use strict";
  var KEY = "sunshine-display";
  var COOKIE = "sunshine_display";
  var CLASSES = { large: "text-large", contrast: "contrast-high" };
  var root = document.documentElement;

  function current() {
    return Object.keys(CLASSES).filter(function (k) { return root.classList.contains(CLASSES[k]); });
  }
  function normalize(list) {
    return Object.keys(CLASSES).filter(function (k) { return list.indexOf(k) >= 0; });
  }
  function apply(list) {
    Object.keys(CLASSES).forEach(function (k) { root.classList.toggle(CLASSES[k], list.indexOf(k) >= 0); });
    var buttons = document.querySelectorAll("[data-display-toggle]");
    Array.prototype.forEach.call(buttons, function (b) {
      b.setAttribute("aria-pressed", list.indexOf(b.value) >= 0 ? "true" : "false");
    });
  }
  function save(list) {
    var value = list.join(".");
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode */ }
    document.cookie = COOKIE + "=" + value + ";path=/;max-age=" + (value ? 31536000 : 0) + ";samesite=lax";
  }
  function stored() {
    try {
      var v = window.localStorage.getItem(KEY);
      return v === null ? null : normalize(v.split("."));
    } catch (e) { return null; }
  }

  var saved = stored();
  if (saved !== null && saved.join(".") !== current().join(".")) { apply(saved); save(saved); }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-display-toggle]") : null;
    if (!button) { return; }
    event.preventDefault();
    var list = current();
    var i = list.indexOf(button.value);
    if (i >= 0) { list.splice(i, 1); } else { list.push(button.value); }
    list = normalize(list);
    apply(list);
    save(list);
  });
  document.addEventListener("DOMContentLoaded", function () { apply(current()); });
}());
