// Refresh the sampling-frame counts and the mailouts' progress every few seconds while one is running.
(function () {
  "use strict";
  var table = document.getElementById("frame-counts");
  if (!table) { return; }
  var url = table.getAttribute("data-progress-url");

  function show(data) {
    Object.keys(data.counts).forEach(function (name) {
      var cell = table.querySelector('[data-count="' + name + '"]');
      if (cell) { cell.textContent = data.counts[name]; }
    });
    var running = false;
    data.mailouts.forEach(function (mailout) {
      var row = document.querySelector('[data-mailout="' + mailout.id + '"]');
      if (!row) { return; }
      ["status_display", "sent", "failed", "total"].forEach(function (field) {
        var cell = row.querySelector('[data-field="' + field + '"]');
        if (cell && field !== "status_display") { cell.textContent = mailout[field]; }
        if (cell && field === "status_display" && mailout.status !== "finished" && mailout.status !== "failed") {
          cell.textContent = mailout.status_display;
        }
      });
      running = running || mailout.status === "running";
    });
    return running;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { setTimeout(poll, show(data) ? 2000 : 10000); })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 2000);
})();
