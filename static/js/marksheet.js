/* Marksheet: spreadsheet keyboard, paste, live traffic lights, per-row autosave and a local draft.
   The server owns validation and the atomic full-sheet save; this file only makes entry fast and
   makes sure nothing typed is ever lost (drafts live in localStorage until the server confirms). */
(function () {
  "use strict";

  var form = document.getElementById("marksheet");
  var configNode = document.getElementById("marksheet-config");
  if (!form || !configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var offline = document.getElementById("sheet-offline");
  var restored = document.getElementById("sheet-restored");

  /* Cells and movement -------------------------------------------------------------------- */
  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll("tbody tr[data-pupil]"));
  }
  function rowCells(tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("input[data-cell]"));
  }
  function cellIn(tr, field) {
    return tr ? tr.querySelector('input[data-cell][data-field="' + field + '"]') : null;
  }
  function focusCell(input) {
    if (!input || input.disabled) {
      return false;
    }
    input.focus();
    input.select();
    return true;
  }
  function moveVertical(input, delta) {
    var list = rows();
    var index = list.indexOf(input.closest("tr"));
    var target = list[index + delta];
    return focusCell(cellIn(target, input.dataset.field));
  }
  function moveHorizontal(input, delta) {
    var list = rowCells(input.closest("tr"));
    return focusCell(list[list.indexOf(input) + delta]);
  }
  function allSelected(input) {
    return input.value.length > 0 && input.selectionStart === 0 && input.selectionEnd === input.value.length;
  }

  /* Traffic lights ----------------------------------------------------------------------------- */
  /* The light is tracking/standing.py's answer, never worked out here: as the teacher types, the row's
     values go to the light URL and its reply (the same badge every page shows) replaces the cell.
     Replies can overtake each other, so only the newest request per row is shown. */
  var lightTimers = {};
  var lightAsked = {};
  function renderProgress(tr) {
    var cell = tr.querySelector("[data-progress]");
    if (!cell || !tr.dataset.light) {
      return;
    }
    var pupil = tr.dataset.pupil;
    cell.classList.add("is-updating");
    window.clearTimeout(lightTimers[pupil]);
    lightTimers[pupil] = window.setTimeout(function () {
      var params = new URLSearchParams();
      tr.querySelectorAll("input[name]").forEach(function (input) {
        if (input.type !== "radio" || input.checked) {
          params.append(input.name, input.value);
        }
      });
      var asked = (lightAsked[pupil] || 0) + 1;
      lightAsked[pupil] = asked;
      window
        .fetch(tr.dataset.light + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
        })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && lightAsked[pupil] === asked && tr.isConnected) {
            cell.innerHTML = html;
            cell.classList.remove("is-updating");
          }
        })
        .catch(function () {
          /* Offline: the light catches up when the row is saved. */
        });
    }, 150);
  }

  /* Drafts ----------------------------------------------------------------------------------- */
  function readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(config.draftKey) || "{}") || {};
    } catch (e) {
      return {};
    }
  }
  function writeDraft(draft) {
    try {
      if (Object.keys(draft).length) {
        window.localStorage.setItem(config.draftKey, JSON.stringify(draft));
      } else {
        window.localStorage.removeItem(config.draftKey);
      }
    } catch (e) {
      /* Private mode or full storage: the page itself still holds the values. */
    }
  }
  function remember(input) {
    var draft = readDraft();
    var pupil = input.closest("tr").dataset.pupil;
    draft[pupil] = draft[pupil] || {};
    draft[pupil][input.dataset.field] = input.value;
    writeDraft(draft);
  }
  function forgetRow(pupil) {
    var draft = readDraft();
    delete draft[pupil];
    writeDraft(draft);
  }

  /* Row state ---------------------------------------------------------------------------------- */
  function setRowStatus(tr, state, text) {
    var cell = tr.querySelector("[data-row-status]");
    if (!cell) {
      return;
    }
    cell.className = "row-status" + (state ? " is-" + state : "");
    cell.textContent = text;
  }
  function edited(input) {
    var tr = input.closest("tr");
    tr.dataset.edits = String(parseInt(tr.dataset.edits || "0", 10) + 1);
    tr.dataset.dirty = "1";
    var td = input.closest("td");
    td.classList.remove("cell-saved");
    setRowStatus(tr, "unsaved", "Not saved yet");
    renderProgress(tr);
    remember(input);
  }
  function autosave(tr) {
    if (tr && tr.dataset.dirty === "1" && tr.hasAttribute("hx-post") && window.htmx) {
      window.htmx.trigger(tr, "marksheet:row-leave");
    }
  }

  /* Keyboard ----------------------------------------------------------------------------------- */
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-cell]")) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    var key = event.key;
    var mod = event.ctrlKey || event.metaKey;
    if (mod && (key === "d" || key === "D")) {
      event.preventDefault();
      var list = rows();
      var above = cellIn(list[list.indexOf(input.closest("tr")) - 1], input.dataset.field);
      if (above) {
        input.value = above.value;
        edited(input);
        input.select();
      }
      return;
    }
    if (mod && (key === "s" || key === "S")) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (mod || event.altKey) {
      return;
    }
    if (key === "Enter") {
      event.preventDefault();
      moveVertical(input, event.shiftKey ? -1 : 1);
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      moveVertical(input, key === "ArrowDown" ? 1 : -1);
    } else if (key === "ArrowLeft" && !event.shiftKey) {
      if ((input.selectionStart === 0 && input.selectionEnd === 0) || allSelected(input)) {
        if (moveHorizontal(input, -1)) {
          event.preventDefault();
        }
      }
    } else if (key === "ArrowRight" && !event.shiftKey) {
      var end = input.value.length;
      if ((input.selectionStart === end && input.selectionEnd === end) || allSelected(input)) {
        if (moveHorizontal(input, 1)) {
          event.preventDefault();
        }
      }
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-cell]")) {
      edited(event.target);
    }
  });

  /* Choosing "keep mine" or "take theirs" after a clash is an edit of the row too. */
  form.addEventListener("change", function (event) {
    var tr = event.target.closest && event.target.closest("tr[data-pupil]");
    if (tr && event.target.type === "radio") {
      tr.dataset.dirty = "1";
      setRowStatus(tr, "unsaved", "Not saved yet");
    }
  });

  /* Leaving a row saves it; staying in it keeps typing undisturbed. */
  form.addEventListener("focusout", function (event) {
    var tr = event.target.closest && event.target.closest("tr[data-pupil]");
    if (!tr) {
      return;
    }
    var next = event.relatedTarget;
    if (next && tr.contains(next)) {
      return;
    }
    autosave(tr);
  });

  /* Paste a column (or block) from a spreadsheet: fill down and right. */
  form.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-cell]") || !event.clipboardData) {
      return;
    }
    var text = event.clipboardData.getData("text/plain").replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    if (text.indexOf("\n") === -1 && text.indexOf("\t") === -1) {
      return;
    }
    event.preventDefault();
    var list = rows();
    var startRow = list.indexOf(input.closest("tr"));
    var startCol = rowCells(input.closest("tr")).indexOf(input);
    var touched = [];
    var filled = 0;
    text.split("\n").forEach(function (line, i) {
      var tr = list[startRow + i];
      if (!tr) {
        return;
      }
      var cellsInRow = rowCells(tr);
      line.split("\t").forEach(function (value, j) {
        var target = cellsInRow[startCol + j];
        if (target && !target.disabled) {
          target.value = value.trim();
          edited(target);
          filled += 1;
        }
      });
      touched.push(tr);
    });
    var status = form.querySelector("[data-sheet-status]");
    if (status) {
      status.textContent = "Pasted " + filled + " cell" + (filled === 1 ? "" : "s") + ".";
    }
    var current = input.closest("tr");
    touched.forEach(function (tr) {
      if (tr !== current) {
        autosave(tr);
      }
    });
  });

  /* htmx autosave responses ------------------------------------------------------------------ */
  var focusAfterSwap = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var tr = event.detail.elt;
    if (tr && tr.dataset && tr.dataset.pupil) {
      tr.dataset.sentEdits = tr.dataset.edits || "0";
      setRowStatus(tr, "saving", "Saving…");
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var tr = event.detail.elt;
    if (!tr || !tr.dataset || !tr.dataset.pupil) {
      return;
    }
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      // The row comes back marked: show it rather than treat it as a failure.
      event.detail.shouldSwap = event.detail.serverResponse.indexOf("<tr") !== -1;
      event.detail.isError = false;
      if (!event.detail.shouldSwap) {
        showOffline("Not saved — " + event.detail.serverResponse);
        markUnsaved(tr);
      }
    }
    if (!event.detail.shouldSwap) {
      return;
    }
    if (offline) {
      offline.hidden = true;
    }
    var active = document.activeElement;
    var focused = active && tr.contains(active);
    var typedSince = (tr.dataset.edits || "0") !== tr.dataset.sentEdits;
    if (typedSince || (status === 200 && focused)) {
      // Never pull inputs from under the cursor: merge the saved state into the live row instead.
      event.detail.shouldSwap = false;
      mergeRow(tr, event.detail.serverResponse, !typedSince);
      if (typedSince) {
        autosaveLater(tr);
      } else {
        forgetRow(tr.dataset.pupil);
      }
      return;
    }
    if (status === 200) {
      forgetRow(tr.dataset.pupil);
    }
    focusAfterSwap = focused && active.id
      ? { id: active.id, start: active.selectionStart, end: active.selectionEnd }
      : null;
  });

  function mergeRow(tr, html, saved) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var fresh = holder.querySelector("tr");
    if (!fresh) {
      return;
    }
    fresh.querySelectorAll('input[type="hidden"]').forEach(function (input) {
      var old = tr.querySelector('input[type="hidden"][name="' + input.name + '"]');
      if (old) {
        old.value = input.value;
      }
    });
    if (!saved) {
      return;
    }
    tr.dataset.dirty = "0";
    fresh.querySelectorAll("td[data-field]").forEach(function (td) {
      var live = tr.querySelector('td[data-field="' + td.dataset.field + '"]');
      var input = live && live.querySelector("input[data-cell]");
      if (!live || !input) {
        return;
      }
      live.className = td.className;
      if (input !== document.activeElement) {
        input.value = td.querySelector("input[data-cell]").value;
      }
    });
    var status = fresh.querySelector("[data-row-status]");
    if (status) {
      setRowStatus(tr, "saved", status.textContent);
    }
  }

  function autosaveLater(tr) {
    if (!tr.contains(document.activeElement)) {
      autosave(tr);
    }
  }

  document.addEventListener("htmx:afterSwap", function () {
    if (focusAfterSwap) {
      var input = document.getElementById(focusAfterSwap.id);
      var where = focusAfterSwap;
      focusAfterSwap = null;
      if (input && document.activeElement !== input) {
        input.focus();
        try {
          input.setSelectionRange(where.start, where.end);
        } catch (e) {
          /* Inputs that do not support selection keep the browser's default. */
        }
      }
    }
  });

  function showOffline(message) {
    if (!offline) {
      return;
    }
    if (message) {
      offline.querySelector(".message-text").textContent = message;
    }
    offline.hidden = false;
  }
  function markUnsaved(elt) {
    if (elt && elt.dataset && elt.dataset.pupil) {
      setRowStatus(elt, "error", "Not saved");
    }
  }

  document.addEventListener("uplift:session-expired", function (event) {
    showOffline("Not saved — sign in again in a new tab, then press Save. Your typed values are kept on this device.");
    markUnsaved(event.target);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) {
      showOffline(
        "Not saved — sign in again in a new tab, then press Save. Your typed values are kept on this device."
      );
    } else if (status === 503 && event.detail.xhr.responseText) {
      // The database was busy: the server says so, and nothing of the row was saved.
      showOffline("Not saved — " + event.detail.xhr.responseText);
    } else {
      showOffline("Not saved — the server had a problem. Your typed values are kept on this device; press Save to try again.");
    }
    markUnsaved(event.detail.elt);
  });
  document.addEventListener("htmx:sendError", function (event) {
    showOffline("Not saved — no connection. Your typed values are kept on this device; press Save when you are back online.");
    markUnsaved(event.detail.elt);
  });

  /* The full save waits for row saves still on the wire, so the two never race each other. */
  var inflight = 0;
  var submitWaiting = false;
  document.addEventListener("htmx:beforeSend", function () {
    inflight += 1;
  });
  document.addEventListener("htmx:afterRequest", function () {
    inflight = Math.max(0, inflight - 1);
    if (!inflight && submitWaiting) {
      submitWaiting = false;
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    if (inflight) {
      event.preventDefault();
      submitWaiting = true;
      return;
    }
    var status = form.querySelector("[data-sheet-status]");
    if (status) {
      status.textContent = "Saving the whole sheet…";
    }
  });

  /* On load: restore or clear the draft, draw the traffic lights ------------------------------- */
  if (config.clearDraft) {
    writeDraft({});
  } else if (form.dataset.editable === "true") {
    var draft = readDraft();
    var count = 0;
    Object.keys(draft).forEach(function (pupil) {
      Object.keys(draft[pupil]).forEach(function (field) {
        var input = document.getElementById("c-" + pupil + "-" + field);
        if (input && !input.disabled && input.value !== draft[pupil][field]) {
          input.value = draft[pupil][field];
          edited(input);
          count += 1;
        }
      });
    });
    if (count && restored) {
      restored.querySelector("[data-restored-text]").textContent =
        "Restored " + count + " unsaved value" + (count === 1 ? "" : "s") +
        " typed on this device. Press Save sheet to keep " + (count === 1 ? "it" : "them") + ".";
      restored.hidden = false;
    }
  }

  var summary = document.getElementById("sheet-errors");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#c-"]');
      if (link && focusCell(document.getElementById(link.getAttribute("href").slice(1)))) {
        event.preventDefault();
      }
    });
    summary.focus();
  } else if (form.dataset.editable === "true" && !window.location.hash) {
    var first = form.querySelector("input[data-cell]:not([disabled])");
    if (first) {
      focusCell(first);
    }
  }
})();
