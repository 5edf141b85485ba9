// The progress page of a background job: asks the server how far the job has come and moves
// the bar without reloading. Without this file the page reloads itself (a <noscript> refresh)
// and has an «Uppdatera» link.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || job.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var url = job.getAttribute("data-status-url");
  var every = Math.max(parseFloat(job.getAttribute("data-poll-seconds")) || 1, 0.5) * 1000;
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var part = function (name) { return job.querySelector('[data-job="' + name + '"]'); };
  var refresh = part("refresh");
  var lastAnnounced = "";
  var lastAnnouncedAt = 0;
  var failures = 0;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    var text = state.status_text + ": " + state.message;
    if (state.total && !state.failed) {
      text += " (" + state.progress + " av " + state.total + ")";
    }
    // A screen reader hears the status when it changes kind, and otherwise at most every
    // 10 seconds: a live region that changes every second is only noise.
    var now = Date.now();
    var kind = state.status + "|" + state.message;
    if (kind !== lastAnnounced || now - lastAnnouncedAt > 10000 || state.finished) {
      status.textContent = text;
      lastAnnounced = kind;
      lastAnnouncedAt = now;
    }
    if (state.finished) {
      if (refresh) {
        refresh.hidden = true;
      }
      if (state.failed) {
        // The page from the server shows why, with the error summary.
        window.location.reload();
        return;
      }
      var result = part("result");
      var download = part("download");
      var open = part("open");
      if (state.download_url) {
        download.href = state.download_url;
        download.hidden = false;
      }
      if (state.result_url) {
        open.href = state.result_url;
        open.hidden = false;
      }
      result.hidden = false;
      job.setAttribute("data-finished", "true");
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, every);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(every * Math.pow(2, failures), 30000));
      });
  }

  window.setTimeout(poll, every);
})();
