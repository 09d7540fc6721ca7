// kechuang: small progressive enhancements. No inline scripts anywhere
// (the Content-Security-Policy forbids them); behaviour hangs on data-*.
(function () {
  "use strict";
  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });

  // Elements with data-echarts hold an ECharts option as JSON; the page
  // loads echarts.min.js only where it has charts.
  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-echarts]").forEach(function (el) {
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(el.getAttribute("data-echarts")));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
