/* The dashboard's charts: ECharts draws each chart from the JSON block "report-charts".
   A section's figures: each figure is a bar; figures of one unit share a scale (rates out
   of 100), so a count is never drawn against a sum of money. A breakdown ("kind"): bars
   per item, one bar per series (a row's red / amber / green colour when it has one), or
   one line per series over the months. The table under each chart holds the same data
   for screen readers. High contrast (html.contrast-high): words, axes and lines white,
   series in yellow and cyan on black, redrawn when the reader switches it. No inline
   script: the page's CSP forbids it. */
(function () {
  "use strict";
  var block = document.getElementById("report-charts");
  if (!block || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(block.textContent);
  var root = document.documentElement;
  var drawn = [];

  function palette() {
    if (root.classList.contains("contrast-high")) {
      return {
        text: "#ffffff", line: "#ffffff", unit: { percent: "#00ffff", yuan: "#ffff00" }, other: "#ffffff",
        series: ["#ffff00", "#00ffff", "#ffffff"],
        rag: { green: "#00ff66", amber: "#ffff00", red: "#ff6666" }, tooltip: "#000000"
      };
    }
    return {
      text: "#1f1f1f", line: "#767676", unit: { percent: "#2e8540", yuan: "#b8860b" }, other: "#1f5fa8",
      series: ["#1f5fa8", "#b8860b", "#2e8540"],
      rag: { green: "#1e6b34", amber: "#f0b429", red: "#9b1c1c" }, tooltip: "#ffffff"
    };
  }

  function shown(v, unit) {
    if (v === null || v === undefined) { return "—"; }
    return (typeof v === "number" ? v.toLocaleString("zh-CN") : v) + unit;
  }

  function figures(chart, p) {
    var scales = [];
    chart.scales.forEach(function (s) { if (scales.indexOf(s) < 0) { scales.push(s); } });
    var axes = scales.map(function (s) {
      return s === "percent" ? { type: "value", max: 100, show: false } : { type: "value", show: false };
    });
    var series = scales.map(function (s, i) {
      return {
        type: "bar",
        xAxisIndex: i,
        data: chart.values.map(function (v, j) { return chart.scales[j] === s ? v : null; }),
        label: {
          show: true, position: "right", color: p.text,
          formatter: function (q) { return q.value === null ? "" : shown(q.value, chart.units[q.dataIndex]); }
        },
        itemStyle: { color: p.unit[s] || p.other }
      };
    });
    return {
      height: Math.max(160, 30 * chart.labels.length + 24),
      option: {
        grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "item",
          formatter: function (q) { return q.name + "：" + shown(q.value, chart.units[q.dataIndex]); }
        },
        xAxis: axes,
        yAxis: {
          type: "category", data: chart.labels, inverse: true,
          axisLabel: { width: 160, overflow: "truncate", color: p.text }, axisLine: { lineStyle: { color: p.line } }
        },
        series: series,
        barGap: "-100%"
      }
    };
  }

  function bars(chart, p) {
    var several = chart.series.length > 1;
    var series = chart.series.map(function (name, i) {
      return {
        type: "bar",
        name: name,
        data: chart.values[i].map(function (v, j) {
          var colour = !several && chart.colours[j] ? p.rag[chart.colours[j]] : null;
          return colour ? { value: v, itemStyle: { color: colour } } : v;
        }),
        label: {
          show: true, position: "right", color: p.text,
          formatter: function (q) { return q.value === null ? "" : shown(q.value, chart.unit); }
        },
        itemStyle: { color: p.series[i % p.series.length] }
      };
    });
    return {
      height: Math.max(160, (several ? 22 * chart.series.length : 28) * chart.labels.length + (several ? 56 : 24)),
      option: {
        legend: several ? { top: 0, textStyle: { color: p.text } } : undefined,
        grid: { left: 8, right: 88, top: several ? 32 : 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", show: false, max: chart.scale === "percent" ? 100 : null },
        yAxis: {
          type: "category", data: chart.labels, inverse: true,
          axisLabel: { width: 160, overflow: "truncate", color: p.text }, axisLine: { lineStyle: { color: p.line } }
        },
        series: series
      }
    };
  }

  function months(chart, p) {
    var dashes = ["solid", "dashed", "dotted"];
    var symbols = ["circle", "rect", "triangle"];
    var series = chart.series.map(function (name, i) {
      return {
        type: "line",
        name: name,
        data: chart.values[i],
        symbol: symbols[i % symbols.length],
        symbolSize: 8,
        lineStyle: { type: dashes[i % dashes.length], width: 3, color: p.series[i % p.series.length] },
        itemStyle: { color: p.series[i % p.series.length] }
      };
    });
    return {
      height: 280,
      option: {
        legend: { top: 0, textStyle: { color: p.text } },
        grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "axis",
          valueFormatter: function (v) { return shown(v, chart.unit); }
        },
        xAxis: {
          type: "category", data: chart.labels,
          axisLabel: { color: p.text }, axisLine: { lineStyle: { color: p.line } }
        },
        yAxis: {
          type: "value", name: chart.unit, nameTextStyle: { color: p.text },
          axisLabel: { color: p.text }, axisLine: { show: true, lineStyle: { color: p.line } },
          splitLine: { lineStyle: { color: p.line, opacity: 0.3 } }
        },
        series: series
      }
    };
  }

  function draw() {
    drawn.forEach(function (c) { c.dispose(); });
    drawn = [];
    var p = palette();
    charts.forEach(function (chart) {
      var box = document.querySelector('[data-chart="' + chart.id + '"]');
      if (!box) { return; }
      var made = chart.kind === "months" ? months(chart, p) : (chart.kind === "bars" ? bars(chart, p) : figures(chart, p));
      box.style.height = made.height + "px";
      var instance = echarts.init(box);
      made.option.animation = false;
      made.option.textStyle = { color: p.text };
      if (made.option.tooltip) {
        made.option.tooltip.backgroundColor = p.tooltip;
        made.option.tooltip.textStyle = { color: p.text };
        made.option.tooltip.borderColor = p.line;
      }
      instance.setOption(made.option);
      drawn.push(instance);
    });
  }

  draw();
  var contrast = root.classList.contains("contrast-high");
  new MutationObserver(function () {
    var now = root.classList.contains("contrast-high");
    if (now !== contrast) { contrast = now; draw(); }
  }).observe(root, { attributes: true, attributeFilter: ["class"] });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
