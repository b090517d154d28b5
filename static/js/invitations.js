// Refresh the sampling-frame counts and the mailouts' progress: every 2 s while a mailout is due or
// running, else every 30 s.
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
    var active = false;
    data.mailouts.forEach(function (mailout) {
      var row = document.querySelector('[data-mailout="' + mailout.id + '"]');
      if (!row) { return; }
      var status = mailout.status_display + (mailout.error ? ": " + mailout.error : "");
      [["status_display", status], ["sent", mailout.sent], ["failed", mailout.failed], ["total", mailout.total]]
        .forEach(function (pair) {
          var cell = row.querySelector('[data-field="' + pair[0] + '"]');
          if (cell) { cell.textContent = pair[1]; }
        });
      active = active || mailout.active;
    });
    return active;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { setTimeout(poll, show(data) ? 2000 : 30000); })
      .catch(function () { setTimeout(poll, 30000); });
  }
  setTimeout(poll, 2000);
})();
