// The web form: show the identity fields only when "under my real name" is chosen.
// Without JavaScript they stay visible, with a note that they are read only for a named letter.
(function () {
  "use strict";
  function setup() {
    var box = document.getElementById("identity-fields");
    var radios = document.querySelectorAll("input[name='filer']");
    if (!box || !radios.length) { return; }
    function sync() {
      var named = document.querySelector("input[name='filer']:checked");
      var show = named && named.value === "named";
      box.hidden = !show;
      var note = document.getElementById("identity-nojs-note");
      if (note) { note.hidden = true; }
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
