// Copy check page: the text's character counter, kept live after htmx swaps the form back in
// with the result. Loaded as a static file (the CSP forbids inline scripts); the page works
// without it, and the server checks the limit again.
(function () {
  "use strict";
  function attach(field) {
    if (field.dataset.counting) return;
    var output = document.getElementById(field.getAttribute("data-counter"));
    if (!output) return;
    field.dataset.counting = "1";
    var limit = Number(field.getAttribute("maxlength")) || 0;
    function update() {
      var count = Array.from(field.value).length;
      output.textContent = count.toLocaleString() + " / " + limit.toLocaleString();
      output.classList.toggle("near-limit", limit > 0 && count > limit * 0.95);
    }
    field.addEventListener("input", update);
    update();
  }
  function attachAll() {
    document.querySelectorAll("textarea[data-counter]").forEach(attach);
  }
  document.addEventListener("DOMContentLoaded", attachAll);
  document.addEventListener("htmx:afterSwap", attachAll);
})();
