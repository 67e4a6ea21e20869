/* Uplift: site-wide behaviour only. Loaded with `defer` after htmx.
   1. Send Django's CSRF token with every same-origin htmx request.
   2. Collapse the primary navigation behind the menu button on narrow screens.
   3. Make overflowing table scroll boxes keyboard-focusable.
   4. Remove marksheet drafts from this browser on sign-out.
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

  /* 3. Scrollable tables reachable by keyboard (WCAG 2.1.1) ------------------------------ */
  // A table wider (or taller) than its scroll box must be focusable so keyboard users can scroll it.
  var SCROLLERS = ".table-scroll, .table-container, .sheet-container";

  function markScrollers(root) {
    var boxes = (root || document).querySelectorAll(SCROLLERS);
    Array.prototype.forEach.call(boxes, function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-uplift-scroller", "");
        if (!box.hasAttribute("role")) {
          var caption = box.querySelector("caption");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Scrollable table");
        }
      } else if (!overflows && box.hasAttribute("data-uplift-scroller")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-uplift-scroller");
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { markScrollers(); }, 150);
  });
  document.addEventListener("htmx:load", function (event) {
    markScrollers(event.target && event.target.querySelectorAll ? event.target : document);
  });

  /* 4. Sign-out forgets drafts ----------------------------------------------------------- */
  // Drafts of unsaved grades live in localStorage (marksheet.js); a shared computer must not keep
  // them after sign-out. The server's Clear-Site-Data header does the same where browsers honour it.
  var DRAFT_PREFIX = "uplift:marksheet:";

  function forgetDrafts() {
    try {
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0) {
          keys.push(key);
        }
      }
      keys.forEach(function (key) { window.localStorage.removeItem(key); });
    } catch (e) {
      /* storage unavailable: nothing was kept */
    }
  }

  document.addEventListener("submit", function (event) {
    if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-sign-out")) {
      forgetDrafts();
    }
  });

  function init() {
    initNavToggle();
    markScrollers();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
