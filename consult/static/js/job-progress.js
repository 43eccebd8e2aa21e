// Progress of a background job: asks the server every two seconds and moves the bar; reloads
// the page when the job has finished, to show its outcome. The "Refresh" link does it by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.getAttribute("data-finished") === "true" || !window.fetch) return;
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");

  function poll() {
    fetch(box.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        if (data.finished) {
          window.location.reload();
          return;
        }
        if (data.total) state.textContent = data.percent + " % (" + data.done + " / " + data.total + ")";
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
