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

  // The listing form's suggestion box (templates/market_suggest.html):
  // a button with data-fill-select="NAME" data-value="V" selects V in the
  // form's select NAME; one with data-append-keyword="K" appends K to the
  // keywords input. Nothing is filled without such a click.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-fill-select], [data-append-keyword]") : null;
    if (!btn || !btn.form) { return; }
    var done = false;
    if (btn.hasAttribute("data-fill-select")) {
      var sel = btn.form.elements.namedItem(btn.getAttribute("data-fill-select"));
      var v = btn.getAttribute("data-value");
      if (sel && sel.options && Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) {
        sel.value = v;
        sel.dispatchEvent(new Event("change", { bubbles: true }));
        done = true;
      }
    } else {
      var input = btn.form.elements.namedItem("keywords");
      var kw = btn.getAttribute("data-append-keyword");
      if (input && kw) {
        var parts = input.value.split(/[,，、;；]/).map(function (p) { return p.trim(); }).filter(Boolean);
        if (parts.indexOf(kw) < 0) {
          parts.push(kw);
          input.value = parts.join("，");
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
        done = true;
      }
    }
    if (done) {
      btn.disabled = true;
      btn.classList.add("done");
      if (btn.hasAttribute("data-done")) { btn.textContent = btn.getAttribute("data-done"); }
    }
  });

  // Elements with data-echarts hold an ECharts option as JSON; the page
  // loads echarts.min.js only where it has charts.
  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-echarts]").forEach(function (el) {
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(el.getAttribute("data-echarts")));
      // A data item with a link (a chain's link) opens it when clicked.
      chart.on("click", function (p) {
        if (p.data && p.data.link) { window.location.href = p.data.link; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-drawn", "true");
    });
  }
  // Elements with data-map-src draw a map: the outlines (GeoJSON) are
  // fetched and registered under data-map-name, then data-map-option is
  // drawn; a region whose data item has a link opens it when clicked.
  function drawMaps() {
    if (!window.echarts || !window.fetch) { return; }
    document.querySelectorAll("[data-map-src]").forEach(function (el) {
      fetch(el.getAttribute("data-map-src")).then(function (res) { return res.json(); }).then(function (geo) {
        window.echarts.registerMap(el.getAttribute("data-map-name"), geo);
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        chart.setOption(JSON.parse(el.getAttribute("data-map-option")));
        chart.on("click", function (p) {
          if (p.data && p.data.link) { window.location.href = p.data.link; }
        });
        window.addEventListener("resize", function () { chart.resize(); });
        el.setAttribute("data-drawn", "true");
      });
    });
  }
  function draw() { drawCharts(); drawMaps(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

// Buttons marked data-print print the page (the reports of 一表通).
document.addEventListener("click", function (ev) {
  var el = ev.target.closest && ev.target.closest("[data-print]");
  if (el) { window.print(); }
});
