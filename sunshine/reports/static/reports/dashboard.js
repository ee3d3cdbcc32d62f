/* The dashboard's charts: ECharts draws each section from the JSON block "report-charts".
   Each figure is a bar; figures of one unit share a scale (rates out of 100), so a count
   is never drawn against a sum of money. The table under each chart holds the same data
   for screen readers. No inline script: the page's CSP forbids it. */
(function () {
  "use strict";
  var block = document.getElementById("report-charts");
  if (!block || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(block.textContent);
  var colours = { percent: "#2e8540", yuan: "#b8860b" };
  var drawn = [];
  charts.forEach(function (chart) {
    var box = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!box) { return; }
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
          show: true,
          position: "right",
          formatter: function (p) { return p.value === null ? "" : p.value + chart.units[p.dataIndex]; }
        },
        itemStyle: { color: colours[s] || "#1f5fa8" }
      };
    });
    box.style.height = Math.max(160, 30 * chart.labels.length + 24) + "px";
    var instance = echarts.init(box);
    instance.setOption({
      animation: false,
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.name + "：" + (p.value === null ? "—" : p.value + chart.units[p.dataIndex]); }
      },
      xAxis: axes,
      yAxis: { type: "category", data: chart.labels, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: series,
      barGap: "-100%"
    });
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
