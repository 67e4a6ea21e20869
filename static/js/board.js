// The staffroom Data Board reloads itself every few minutes so the screen shows today's figures.
// (The slides cycle by CSS alone; a meta refresh would fail WCAG 2.2.1, so the reload lives here.)
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-reload-seconds"), 10);
  if (seconds > 0) {
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
