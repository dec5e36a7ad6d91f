// Live progress of a fan-out: polls the dashboard's JSON endpoint every 2 s until nothing is pending.
(function () {
  "use strict";
  var section = document.getElementById("delivery-progress");
  if (!section) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("delivery-bar");
  var status = section.querySelector("[data-status]");
  var quietPolls = 0;

  function show(counts) {
    ["sent", "pending", "retrying", "failed", "total"].forEach(function (name) {
      var el = section.querySelector('[data-count="' + name + '"]');
      if (el) { el.textContent = counts[name]; }
    });
    bar.max = Math.max(counts.total, 1);
    bar.value = counts.sent + counts.failed;
    bar.textContent = counts.sent + " of " + counts.total;
    status.textContent = counts.done ? "Finished." : (counts.total ? "Sending…" : "Not started yet.");
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (counts) {
        show(counts);
        quietPolls = counts.done ? quietPolls + 1 : 0;
        // Keep polling a little after the end: a retry or a late sweep can still move the numbers.
        if (quietPolls < 3) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
