/* Uplift: site-wide behaviour only. Loaded with `defer` after htmx.
   1. Send Django's CSRF token with every same-origin htmx request.
   2. Collapse the primary navigation behind the menu button on narrow screens.
   App-specific behaviour belongs in its own static file, added through {% block extra_js %}. */
(function () {
  "use strict";

  /* 1. CSRF for htmx ------------------------------------------------------------------- */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function isSameOrigin(path) {
    try {
      return new URL(path, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var token = csrfToken();
    if (!token || !detail || !detail.headers) {
      return;
    }
    // Never hand the token to another origin, even if htmx.config.selfRequestsOnly is relaxed.
    if (detail.path && !isSameOrigin(detail.path)) {
      return;
    }
    detail.headers["X-CSRFToken"] = token;
  });

  /* 2. Navigation toggle ---------------------------------------------------------------- */
  function initNavToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    if (!button) {
      return;
    }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }

    // Without this script the menu stays visible and stacked; with it, start collapsed.
    document.documentElement.classList.add("js-nav");
    button.hidden = false;
    setOpen(false);

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initNavToggle);
  } else {
    initNavToggle();
  }
})();
