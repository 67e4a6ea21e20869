/* Academic RAG sheet: keyboard-first entry and a local draft, so nothing typed is lost.
   Enter moves to the same field in the next row (Shift+Enter: the row above); R, A or G in a rating
   box chooses that rating; Ctrl+S saves. Every change is kept in localStorage (under the marksheet
   prefix, so signing out forgets it) until the server confirms a save; an expired session or a
   refused save brings the typed values back. */
(function () {
  "use strict";
  var form = document.getElementById("rag-form");
  if (!form) {
    return;
  }
  var key = form.getAttribute("data-draft-key");
  var note = document.getElementById("rag-draft-note");
  var fields = Array.prototype.slice.call(form.querySelectorAll("select.rag-rating, input.rag-comment"));
  var SUBMITTED = key + ":submitted";

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "{}") || {};
    } catch (e) {
      return {};
    }
  }
  function write(draft) {
    try {
      if (Object.keys(draft).length) {
        window.localStorage.setItem(key, JSON.stringify(draft));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) {
      /* storage full or unavailable: the form still posts */
    }
  }

  // A save the server confirmed (a success message after our own submit) ends the draft.
  var saved = document.querySelector(".message-success");
  try {
    if (saved && window.sessionStorage.getItem(SUBMITTED)) {
      write({});
    }
    window.sessionStorage.removeItem(SUBMITTED);
  } catch (e) {
    /* no session storage: keep the draft */
  }

  var draft = read();
  var restored = 0;
  fields.forEach(function (field) {
    if (Object.prototype.hasOwnProperty.call(draft, field.name) && field.value !== draft[field.name] && !field.disabled) {
      field.value = draft[field.name];
      restored += 1;
    }
  });
  if (restored && note) {
    note.textContent = restored + " unsaved change" + (restored === 1 ? " was" : "s were") +
      " brought back from this computer. Save to keep them.";
    note.hidden = false;
  }

  form.addEventListener("input", function (event) {
    if (event.target.name) {
      var current = read();
      current[event.target.name] = event.target.value;
      write(current);
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name) {
      var current = read();
      current[event.target.name] = event.target.value;
      write(current);
    }
  });
  form.addEventListener("submit", function () {
    try {
      window.sessionStorage.setItem(SUBMITTED, "1");
    } catch (e) {
      /* nothing to remember */
    }
  });

  function column(field) {
    return Array.prototype.slice.call(form.querySelectorAll(field.tagName === "SELECT" ? "select.rag-rating" : "input.rag-comment"));
  }
  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
      return;
    }
    if (field.tagName === "SELECT" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var letter = event.key ? event.key.toUpperCase() : "";
      if (letter === "R" || letter === "A" || letter === "G") {
        event.preventDefault();
        field.value = letter;
        field.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
    if (event.key === "Enter" && (field.tagName === "SELECT" || field.tagName === "INPUT")) {
      event.preventDefault();
      var cells = column(field);
      var next = cells[cells.indexOf(field) + (event.shiftKey ? -1 : 1)];
      if (next) {
        next.focus();
      }
    }
  });
})();
