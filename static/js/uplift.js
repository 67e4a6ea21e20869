/* Uplift: site-wide behaviour only. Loaded with `defer` after htmx.
   1. Send Django's CSRF token with every same-origin htmx request.
   2. Collapse the primary navigation behind the menu button on narrow screens.
   3. Make overflowing table scroll boxes keyboard-focusable.
   4. Keep a table's header in view while a sideways-scrolling box passes under the top of the window.
   5. Show fields that apply to one choice only while that choice is made (data-show-when).
   6. Remove marksheet drafts from this browser on sign-out.
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

  /* 2b. Navigation menus: one open at a time; Escape or a click elsewhere closes it ---------- */
  function initNavMenus() {
    var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-nav-menu]"));
    if (!buttons.length) {
      return;
    }
    document.documentElement.classList.add("js-nav");
    function closeAll(except) {
      buttons.forEach(function (button) {
        if (button !== except) {
          button.setAttribute("aria-expanded", "false");
        }
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        closeAll(button);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest(".nav-menu")) {
        closeAll(null);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      var open = buttons.filter(function (button) {
        return button.getAttribute("aria-expanded") === "true";
      })[0];
      if (open) {
        closeAll(null);
        open.focus();
      }
    });
  }

  /* 3. Scrollable tables reachable by keyboard (WCAG 2.1.1) ------------------------------ */
  // A table wider than its scroll box must be focusable so keyboard users can scroll it. Templates
  // name their boxes (role="region" + aria-label); a box or bare table without one is named here.
  var SCROLLERS = ".table-scroll, .table-container, .sheet-container, .site-main table.table";

  function isScroller(box) {
    if (box.tagName === "TABLE" && box.parentElement && box.parentElement.matches(SCROLLERS)) {
      return false; // its box scrolls, not the table
    }
    var overflowX = window.getComputedStyle(box).overflowX;
    return overflowX === "auto" || overflowX === "scroll";
  }

  function boxName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var section = box.closest("section, .card");
    var heading = section && section.querySelector("h2, h3");
    return heading ? heading.textContent.trim() + " (table)" : "Table";
  }

  function markScrollers(root) {
    var boxes = (root || document).querySelectorAll(SCROLLERS);
    Array.prototype.forEach.call(boxes, function (box) {
      var overflows = isScroller(box) && box.scrollWidth > box.clientWidth + 1;
      var ours = box.hasAttribute("data-uplift-scroller");
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-uplift-scroller", box.hasAttribute("aria-label") ? "tabindex" : "all");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", boxName(box));
        }
        // A table keeps its own role; a plain box becomes a named region.
        if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
          box.setAttribute("role", "region");
        }
      } else if (!overflows && ours) {
        box.removeAttribute("tabindex");
        if (box.getAttribute("data-uplift-scroller") === "all") {
          box.removeAttribute("aria-label");
          if (box.tagName !== "TABLE") {
            box.removeAttribute("role");
          }
        }
        box.removeAttribute("data-uplift-scroller");
      }
    });
  }

  /* 4. Headers stay in view ---------------------------------------------------------------- */
  // Lists are shown whole. A box that scrolls sideways is its header's scroll container, so
  // `position: sticky` cannot hold the header at the top of the window: shift it while the box
  // passes under the top instead (the CSS reads --head-shift).
  var HEAD_BOXES = ".table-scroll, .table-container, .sheet-container";
  var shiftQueued = false;

  function shiftHeads() {
    shiftQueued = false;
    var boxes = document.querySelectorAll(HEAD_BOXES);
    Array.prototype.forEach.call(boxes, function (box) {
      var head = box.querySelector("thead");
      if (!head || !isScroller(box)) {
        if (box.style.getPropertyValue("--head-shift")) {
          box.style.removeProperty("--head-shift");
          box.classList.remove("head-held");
        }
        return;
      }
      var top = head.getBoundingClientRect().top; // the cells move, the row group stays put
      var room = box.getBoundingClientRect().bottom - top - head.offsetHeight;
      var shift = top < 0 && room > 0 ? Math.min(-top, room) : 0;
      box.style.setProperty("--head-shift", shift + "px");
      box.classList.toggle("head-held", shift > 0);
    });
  }

  function queueShift() {
    if (!shiftQueued) {
      shiftQueued = true;
      window.requestAnimationFrame(shiftHeads);
    }
  }
  window.addEventListener("scroll", queueShift, { passive: true });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    queueShift();
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { markScrollers(); }, 150);
  });
  document.addEventListener("htmx:load", function (event) {
    markScrollers(event.target && event.target.querySelectorAll ? event.target : document);
    queueShift();
  });

  /* 5. Fields shown only for one choice -------------------------------------------------- */
  // <div data-show-when="source" data-show-value="fft"> is shown while the form's "source" choice is
  // "fft". Without this script every field simply stays visible.
  function initShowWhen() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-show-when]"), function (block) {
      var form = block.closest("form");
      if (!form) {
        return;
      }
      var name = block.getAttribute("data-show-when");
      var wanted = block.getAttribute("data-show-value");
      function update() {
        var chosen = form.querySelector('[name="' + name + '"]:checked') || form.querySelector('select[name="' + name + '"]');
        block.hidden = !chosen || chosen.value !== wanted;
      }
      form.addEventListener("change", function (event) {
        if (event.target.name === name) {
          update();
        }
      });
      update();
    });
  }

  /* 6. Sign-out forgets drafts ----------------------------------------------------------- */
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
    initNavMenus();
    initShowWhen();
    markScrollers();
    shiftHeads();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
