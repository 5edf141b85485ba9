// The answer form saves itself a few seconds after typing stops (progressive enhancement: without
// this file the form works as before). The save goes through the same field-by-field merge as
// «Spara utkast» (remiss/answers/merge.py); the status line below the form says what happened.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  // The conflict box after a save (#conflicts) takes focus through app.js, with the error summary.
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-autosave");
  var status = document.getElementById("autosave-status");
  var DELAY = parseInt(form.getAttribute("data-autosave-delay") || "3000", 10);
  var MAX_DELAY = 30000;
  var timer = null;
  var retryDelay = DELAY;
  var inFlight = false;
  var again = false; // typed while a save was under way
  var dirty = false; // typed since the last save that took it
  var edits = 0; // input events so far
  var leaving = false; // the form itself is being submitted
  var stopped = false;

  function say(message, kind) {
    if (!status) {
      return;
    }
    status.textContent = message;
    status.className = "autosave-status" + (kind ? " autosave-status--" + kind : "");
  }

  function value(name) {
    var field = form.elements[name];
    if (!field) {
      return null;
    }
    return field.value === undefined ? "" : field.value;
  }

  function setValue(name, text) {
    var field = form.elements[name];
    if (!field) {
      return;
    }
    if (field.length !== undefined && field.tagName === undefined) {
      // Radio buttons: a RadioNodeList.
      Array.prototype.forEach.call(field, function (radio) {
        radio.checked = radio.value === text;
      });
    } else {
      field.value = text;
    }
  }

  function fieldBox(name) {
    var field = form.elements[name];
    var element = field && field.tagName === undefined ? field[0] : field;
    return element ? element.closest(".field, fieldset") : null;
  }

  function schedule(delay) {
    if (stopped) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function markConflict(conflict) {
    var box = fieldBox(conflict.key);
    if (!box) {
      return;
    }
    box.classList.add("field--conflict");
    var id = "conflict-note-" + conflict.key;
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "conflict-note";
      box.appendChild(note);
      var field = form.elements[conflict.key];
      var element = field && field.tagName === undefined ? field[0] : field;
      if (element) {
        var described = element.getAttribute("aria-describedby");
        element.setAttribute("aria-describedby", (described ? described + " " : "") + id);
      }
    }
    note.textContent =
      conflict.who + " sparade en annan text här " + conflict.when + ": «" + conflict.theirs +
      "». Din text är inte sparad i det här fältet. Tryck «Spara utkast» för att välja vilken som ska gälla.";
  }

  function signedOut(body) {
    stopped = true;
    say(body.message, "error");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary autosave-status__action";
    button.textContent = "Logga in igen och behåll texten";
    button.addEventListener("click", function () {
      leaving = true;
      form.submit();
    });
    status.appendChild(document.createTextNode(" "));
    status.appendChild(button);
  }

  function save() {
    if (inFlight) {
      again = true;
      return;
    }
    var data = new FormData(form);
    data.delete("decision_file");
    data.delete("preview");
    var sent = {};
    data.forEach(function (v, k) {
      sent[k] = v;
    });
    var editsAtSend = edits;
    inFlight = true;
    again = false;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (body) {
            return { ok: response.ok, code: response.status, body: body };
          },
          function () {
            return { ok: false, code: response.status, body: {} };
          }
        );
      })
      .then(function (result) {
        inFlight = false;
        var body = result.body || {};
        if (result.ok) {
          retryDelay = DELAY;
          applySaved(body, sent);
          if (edits === editsAtSend) {
            dirty = false;
          }
        } else if (body.status === "signed_out") {
          signedOut(body);
          return;
        } else if (body.status === "closed") {
          stopped = true;
          say(body.message, "error");
          return;
        } else if (body.status === "invalid") {
          say(body.message, "error");
          return;
        } else {
          say("Kunde inte spara – försöker igen", "error");
          retryDelay = Math.min(retryDelay * 2, MAX_DELAY);
          schedule(retryDelay);
          return;
        }
        if (again || edits !== editsAtSend) {
          schedule(DELAY);
        }
      })
      .catch(function () {
        inFlight = false;
        say("Kunde inte spara – försöker igen", "error");
        retryDelay = Math.min(retryDelay * 2, MAX_DELAY);
        schedule(retryDelay);
      });
  }

  function applySaved(body, sent) {
    if (form.elements.version_token) {
      form.elements.version_token.value = body.version_token;
    }
    var baseline = JSON.parse(body.baseline);
    Object.keys(body.updated || {}).forEach(function (name) {
      var update = body.updated[name];
      if (value(name) === (sent[name] === undefined ? "" : sent[name])) {
        // Not touched while the save was under way: show the colleague's text in place.
        setValue(name, update.value);
      } else {
        // Typed into meanwhile: keep what was loaded as this field's base, so that the next save
        // of it is a conflict, never a silent replacement of the colleague's text.
        baseline[name] = update.base;
      }
    });
    (body.conflicts || []).forEach(markConflict);
    if (form.elements.baseline) {
      form.elements.baseline.value = JSON.stringify(baseline);
    }
    say(body.message, body.status === "conflict" ? "error" : "ok");
  }

  function typed() {
    edits += 1;
    dirty = true;
    schedule(DELAY);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio" || event.target.type === "date") {
      typed();
    } else if (event.target.type === "file") {
      dirty = true; // a file goes with «Spara utkast» only
    }
  });
  form.addEventListener("submit", function () {
    leaving = true;
    window.clearTimeout(timer);
  });
  window.addEventListener("beforeunload", function (event) {
    if (!leaving && (dirty || inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
