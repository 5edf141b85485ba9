// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before a state change: forms marked data-confirm="Question?".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  var main = document.getElementById("main");
  var hashTarget = null;
  if (window.location.hash.length > 1) {
    try {
      hashTarget = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (error) {
      hashTarget = null; // a malformed fragment names nothing
    }
  }

  // A confirmation after a redirect to a part of a long page (…#area-3) is shown in that part,
  // where the eye is, not a screen or two above it.
  function placeFlashes() {
    var flashes = document.querySelector(".flashes");
    if (!flashes || !hashTarget || hashTarget === main || hashTarget.contains(flashes)) {
      return flashes;
    }
    var anchor = hashTarget;
    if (/^(TR|TD|TH|TBODY|THEAD|LI)$/.test(anchor.tagName)) {
      anchor = anchor.closest("table, ul, ol") || anchor;
    }
    var heading = /^H[1-6]$/.test(anchor.tagName) ? anchor : null;
    var first = anchor.firstElementChild;
    if (!heading && first && /^H[1-6]$/.test(first.tagName)) {
      heading = first;
    }
    if (heading) {
      heading.parentNode.insertBefore(flashes, heading.nextSibling);
    } else if (/^(TABLE|UL|OL)$/.test(anchor.tagName)) {
      anchor.parentNode.insertBefore(flashes, anchor);
    } else {
      anchor.insertBefore(flashes, anchor.firstChild);
    }
    flashes.classList.add("flashes--in-place");
    return flashes;
  }

  // Where focus goes when the page opens, so that a screen reader reads it and the eye finds it:
  // the conflict box of the answer form (the user's unsaved text is at stake), the error summary
  // of a refused form, a refusal (role=alert), or a confirmation shown in the part of the page
  // the redirect pointed at.
  function focusTarget(flashes) {
    var conflict = document.querySelector(".conflict[tabindex]");
    if (conflict) {
      return conflict;
    }
    var summary = document.querySelector(".error-summary");
    if (summary) {
      return summary;
    }
    if (!flashes) {
      return null;
    }
    var alert = flashes.querySelector(".flash[role=alert]");
    if (alert) {
      return alert;
    }
    return flashes.classList.contains("flashes--in-place") ? flashes.querySelector(".flash") : null;
  }

  var target = focusTarget(placeFlashes());
  if (target) {
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    // The browser moves focus to the element a #fragment names (the skip link's #main) once the
    // page has loaded, after this script: take it back then, unless the user has moved on.
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (!active || active === document.body || active === main || active === hashTarget) {
        target.focus();
      }
    });
  }

  // A link in an error summary: focus the control it names (the first choice of a group of
  // radio buttons or checkboxes) and show its label or legend above it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var control = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!control) {
      return;
    }
    if (control.tagName === "FIELDSET") {
      control = control.querySelector("input, select, textarea, button") || control;
    }
    var box = control.closest("fieldset, .field");
    var caption = box && box.querySelector("legend, label");
    event.preventDefault();
    (caption || control).scrollIntoView();
    control.focus({ preventScroll: true });
  });
})();
