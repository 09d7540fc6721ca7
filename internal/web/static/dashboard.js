// kechuang dashboard: the table toggle of every chart, and the big
// screen, which fetches the summary API and draws it, again every
// data-refresh seconds. No inline scripts (the Content-Security-Policy
// forbids them); no external URL.
(function () {
  "use strict";

  // A button with data-toggle-table shows its panel's table instead of
  // its chart, and back.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-toggle-table]") : null;
    if (!btn) { return; }
    var panel = btn.closest("[data-chart-panel]");
    if (!panel) { return; }
    var table = panel.querySelector("table");
    var chart = panel.querySelector(".chart");
    if (!table) { return; }
    var show = table.hasAttribute("hidden");
    if (show) { table.removeAttribute("hidden"); } else { table.setAttribute("hidden", ""); }
    if (chart) {
      if (show) { chart.setAttribute("hidden", ""); } else { chart.removeAttribute("hidden"); }
    }
    btn.setAttribute("aria-pressed", show ? "true" : "false");
  });

  var root = document.querySelector("[data-screen]");
  if (!root) { return; }
  var labels = JSON.parse(root.getAttribute("data-labels") || "{}");
  var indicator = root.getAttribute("data-indicator");
  var refresh = parseInt(root.getAttribute("data-refresh"), 10) || 60;
  var mapReady = null;
  var charts = {};

  function L(key) { return labels[key] || key; }
  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    return Number(v).toLocaleString(document.documentElement.lang || "zh-CN", { maximumFractionDigits: 2 });
  }
  function change(v, ratio) {
    if (v === null || v === undefined) { return "—"; }
    return (v > 0 ? "+" : "") + fmt(v) + (ratio ? "pp" : "%");
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function chart(id) {
    if (!window.echarts) { return null; }
    if (!charts[id]) {
      charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: "svg" });
    }
    return charts[id];
  }
  function loadMap() {
    var src = root.getAttribute("data-map-src");
    if (!src || !window.fetch) { return Promise.resolve(false); }
    if (!mapReady) {
      mapReady = fetch(src).then(function (r) { return r.json(); }).then(function (geo) {
        window.echarts.registerMap(root.getAttribute("data-map-name"), geo);
        return true;
      }).catch(function () { return false; });
    }
    return mapReady;
  }

  function headlines(sum) {
    var box = document.getElementById("screen-headlines");
    box.textContent = "";
    sum.figures.slice(0, 8).forEach(function (f) {
      var card = el("div", "screen-card");
      card.appendChild(el("div", "screen-card-label", L(f.key)));
      var v = el("div", "screen-card-value", fmt(f.value));
      v.appendChild(el("small", "", " " + L(f.unit)));
      card.appendChild(v);
      var cmp = el("div", "screen-card-compare");
      cmp.appendChild(el("span", f.change > 0 ? "up" : (f.change < 0 ? "down" : ""), L("dashboard.col.change") + " " + change(f.change, f.ratio)));
      cmp.appendChild(el("span", f.yoy > 0 ? "up" : (f.yoy < 0 ? "down" : ""), L("dashboard.col.yoy") + " " + change(f.yoy, f.ratio)));
      card.appendChild(cmp);
      box.appendChild(card);
    });
  }

  function figure(sum) {
    for (var i = 0; i < sum.figures.length; i++) {
      if (sum.figures[i].key === indicator) { return sum.figures[i]; }
    }
    return sum.figures[0];
  }

  function map(sum) {
    var f = figure(sum);
    if (!f) { return; }
    document.getElementById("screen-map-title").textContent = L("dashboard.screen.map") + " · " + L(f.key) + "（" + L(f.unit) + "）";
    loadMap().then(function (ok) {
      var c = chart("screen-map");
      if (!c) { return; }
      var most = 1;
      var data = f.counties.map(function (x) {
        most = Math.max(most, x.value || 0);
        return { name: x.name, value: x.value === null ? 0 : x.value };
      });
      if (ok) {
        c.setOption({
          tooltip: { trigger: "item" },
          visualMap: { min: 0, max: most, left: 20, bottom: 20, calculable: true, textStyle: { color: "#cfe3ff" },
            inRange: { color: ["#0d2a4f", "#1f6fd1", "#39c5ff"] } },
          series: [{ type: "map", map: root.getAttribute("data-map-name"), roam: false, selectedMode: false,
            label: { show: true, color: "#ffffff", fontSize: 14 }, itemStyle: { borderColor: "#7fb8ff" },
            emphasis: { label: { show: true } }, data: data }]
        }, true);
      } else {
        c.setOption({
          grid: { left: 120, right: 40, top: 20, bottom: 30 },
          xAxis: { type: "value", axisLabel: { color: "#cfe3ff" } },
          yAxis: { type: "category", data: data.map(function (d) { return d.name; }), axisLabel: { color: "#cfe3ff" } },
          series: [{ type: "bar", data: data.map(function (d) { return d.value; }), itemStyle: { color: "#39c5ff" } }]
        }, true);
      }
      root.setAttribute("data-map-drawn", "true");
    });
  }

  function funnel(sum) {
    var c = chart("screen-funnel");
    if (!c) { return; }
    c.setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "funnel", sort: "none", left: "8%", width: "84%", top: 10, bottom: 10, minSize: "10%",
        label: { show: true, position: "inside", color: "#ffffff", formatter: function (p) {
          var st = sum.funnel.stages[p.dataIndex];
          return p.name + " " + p.value + (st.rate !== null ? "  " + fmt(st.rate) + "%" : "");
        } },
        itemStyle: { borderColor: "#0a1a33" },
        data: sum.funnel.stages.map(function (s) { return { name: L("stage." + s.stage), value: s.count }; }) }]
    }, true);
  }

  function topCounties(sum) {
    var f = figure(sum);
    var list = document.getElementById("screen-top-counties");
    list.textContent = "";
    if (!f) { return; }
    f.counties.slice().sort(function (a, b) { return (b.value || 0) - (a.value || 0); }).slice(0, 5).forEach(function (c) {
      var li = el("li", "", c.name);
      li.appendChild(el("b", "", fmt(c.value)));
      list.appendChild(li);
    });
  }

  function topBrokers(rep) {
    var list = document.getElementById("screen-top-brokers");
    list.textContent = "";
    var rows = (rep.rows || []).slice(0, 5);
    if (rows.length === 0) { list.appendChild(el("li", "muted", L("dashboard.screen.no_data"))); }
    rows.forEach(function (r) {
      var li = el("li", "", r.name || r.key);
      li.appendChild(el("b", "", r.stages[1].count + " / " + r.stages[3].count));
      list.appendChild(li);
    });
  }

  function ticker(sum) {
    var list = document.getElementById("screen-ticker");
    list.textContent = "";
    var names = {};
    sum.counties.forEach(function (c) { names[c.code] = c.name; });
    (sum.recent || []).forEach(function (a) {
      var kind = a.kind === "contract" ? L("dashboard.kind.contract") : L("dashboard.deal_state." + a.state);
      var li = el("li", "", "");
      li.appendChild(el("span", "screen-tag", kind));
      li.appendChild(el("span", "", " " + (names[a.region_code] || "") + " · " + a.title));
      if (a.amount !== null && a.amount !== undefined) { li.appendChild(el("b", "", fmt(a.amount) + L("unit.wan_yuan"))); }
      list.appendChild(li);
    });
    if (!sum.recent || sum.recent.length === 0) { list.appendChild(el("li", "muted", L("dashboard.screen.no_data"))); }
    // A long list rolls: its lines twice over, moved up by half.
    list.classList.remove("rolling");
    if (list.children.length > 8) {
      Array.prototype.slice.call(list.children).forEach(function (li) { list.appendChild(li.cloneNode(true)); });
      list.classList.add("rolling");
    }
  }

  function load() {
    if (!window.fetch) { return; }
    var opts = { credentials: "same-origin", headers: { Accept: "application/json" } };
    fetch(root.getAttribute("data-api"), opts).then(function (r) { return r.json(); }).then(function (sum) {
      document.getElementById("screen-scope").textContent = sum.scope.name;
      document.getElementById("screen-period").textContent = sum.period;
      document.getElementById("screen-updated").textContent = L("dashboard.screen.updated") + " " +
        new Date(sum.generated).toLocaleTimeString(document.documentElement.lang || "zh-CN");
      headlines(sum);
      map(sum);
      funnel(sum);
      topCounties(sum);
      ticker(sum);
      root.setAttribute("data-loaded", "true");
    });
    fetch(root.getAttribute("data-funnel-api"), opts).then(function (r) { return r.json(); }).then(topBrokers);
  }

  function start() {
    load();
    window.setInterval(load, refresh * 1000);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
