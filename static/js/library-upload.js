// Library upload page: a progress bar for the bytes of a large upload (hundreds of photos or a
// zip take a while to send). Loaded as a static file (the CSP forbids inline scripts); without
// it the form posts as usual and the browser shows its own progress.
(function () {
  "use strict";
  function attach(form) {
    var box = form.querySelector(".lib-upload-progress");
    if (!box || !window.XMLHttpRequest || !window.FormData) return;
    var bar = box.querySelector("progress");
    var text = box.querySelector("p");
    var button = form.querySelector("button[type=submit]");

    function say(key, suffix) {
      text.textContent = (text.getAttribute("data-" + key) || "") + (suffix || "");
    }

    function showPage(html, url) {
      // Put the answer's content in place of this page's: the batch page (whose message the
      // followed redirect already took) or this form with its errors.
      var parsed = new DOMParser().parseFromString(html, "text/html");
      var next = parsed.querySelector("main.page");
      var current = document.querySelector("main.page");
      if (!next || !current) {
        if (url) window.location.assign(url);
        else say("failed");
        return;
      }
      current.replaceWith(next);
      document.title = parsed.title;
      if (url) window.history.pushState({}, "", url);
      if (window.htmx) window.htmx.process(next); // the batch page polls for its progress
      var again = next.querySelector("form[data-upload-progress]");
      if (again) attach(again);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) return;
        var percent = Math.round((100 * progress.loaded) / progress.total);
        bar.value = percent;
        say("sending", " " + percent + "%");
        if (percent >= 100) say("processing");
      });
      request.addEventListener("load", function () {
        // Success redirects to the batch page, and XHR followed the redirect.
        var landed = new URL(request.responseURL || form.action, window.location.href);
        var posted = new URL(form.action, window.location.href);
        var moved = request.status < 400 && landed.pathname !== posted.pathname;
        showPage(request.responseText, moved ? landed.href : "");
      });
      request.addEventListener("error", function () {
        say("failed");
        if (button) button.disabled = false;
      });
      box.hidden = false;
      bar.value = 0;
      say("sending", " 0%");
      if (button) button.disabled = true;
      request.send(new FormData(form));
    });
  }
  // After a swapped-in batch page, Back must load the upload page for real.
  window.addEventListener("popstate", function () {
    window.location.reload();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-upload-progress]").forEach(attach);
  });
})();
