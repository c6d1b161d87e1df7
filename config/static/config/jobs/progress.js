// Jobs admin: follow the progress bars of queued and running jobs (no inline script: CSP).
// Polls /api/jobs/{id} (session cookie) every second; reloads the page once a job has finished
// so its result, row errors and download link appear.
"use strict";
(function () {
  var INTERVAL_MS = 1000;

  function active() {
    return Array.prototype.slice.call(
      document.querySelectorAll(
        'progress.job-progress[data-job-status="queued"], progress.job-progress[data-job-status="running"]'
      )
    );
  }

  function show(bar, job) {
    var done = job.progress.done;
    var total = job.progress.total;
    var label = bar.parentNode.querySelector(".job-progress-label");
    if (total) {
      bar.max = total;
      bar.value = done;
      if (label) {
        label.textContent = done + " / " + total + " (" + Math.floor((100 * done) / total) + "%)";
      }
    } else if (label) {
      label.textContent = done ? String(done) : "";
    }
  }

  function poll() {
    var bars = active();
    if (!bars.length) {
      return;
    }
    var pending = bars.map(function (bar) {
      return fetch(bar.dataset.jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (job) {
          if (!job) {
            return false;
          }
          show(bar, job);
          bar.dataset.jobStatus = job.status;
          document
            .querySelectorAll('.job-status[data-job-id="' + bar.dataset.jobId + '"]')
            .forEach(function (status) {
              status.textContent = job.status;
            });
          return job.status === "succeeded" || job.status === "failed";
        })
        .catch(function () {
          return false;
        });
    });
    Promise.all(pending).then(function (changed) {
      if (changed.some(Boolean)) {
        window.location.reload();
      } else {
        window.setTimeout(poll, INTERVAL_MS);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(poll, INTERVAL_MS);
  });
})();
