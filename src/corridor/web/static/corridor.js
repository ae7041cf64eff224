// corridor's own script: draw Plotly charts and submit selects marked data-autosubmit.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof Plotly === "undefined") return;
    root.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var data = document.getElementById(el.dataset.figure);
      if (!data) return;
      var figure = JSON.parse(data.textContent);
      el.dataset.drawn = "1";
      Plotly.newPlot(el, figure.data, figure.layout || {}, {
        displaylogo: false, responsive: true,
        modeBarButtonsToRemove: ["lasso2d", "select2d"]
      });
    });
  }

  function wireAutosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  function wire(root) { drawCharts(root); wireAutosubmit(root); }

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSettle", function (event) { wire(event.target); });
})();
