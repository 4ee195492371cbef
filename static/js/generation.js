// Generation pages: the script's character counter. Loaded as a static file (the CSP forbids
// inline scripts); the page works without it, the server checks the limit again.
(function () {
  "use strict";
  function attach(field) {
    var output = document.getElementById(field.getAttribute("data-counter"));
    if (!output) return;
    var limit = Number(field.getAttribute("maxlength")) || 0;
    function update() {
      var count = Array.from(field.value).length;
      output.textContent = count.toLocaleString() + " / " + limit.toLocaleString();
      output.classList.toggle("near-limit", limit > 0 && count > limit * 0.95);
    }
    field.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(attach);
  });
})();
