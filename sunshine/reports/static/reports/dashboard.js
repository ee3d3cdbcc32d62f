/* The dashboard's charts: ECharts draws each section from the JSON block "report-charts"
   (counts as bars, rates as bars out of 100); the table under each chart holds the
   same data for screen readers. No inline script: the page's CSP forbids it. */
(function () {
  "use strict";
  var block = document.getElementById("report-charts");
  if (!block || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(block.textContent);
  var drawn = [];
  charts.forEach(function (chart) {
    var box = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!box) { return; }
    var labels = chart.counts.labels.concat(chart.rates.labels);
    var counts = chart.counts.values.concat(chart.rates.values.map(function () { return null; }));
    var rates = chart.counts.values.map(function () { return null; }).concat(chart.rates.values);
    var units = chart.counts.units.concat(chart.rates.units);
    box.style.height = Math.max(160, 30 * labels.length + 24) + "px";
    var instance = echarts.init(box);
    instance.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.name + "：" + (p.value === null ? "—" : p.value) + units[p.dataIndex]; }
      },
      xAxis: [{ type: "value", show: false }, { type: "value", max: 100, show: false }],
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { type: "bar", xAxisIndex: 0, data: counts, label: { show: true, position: "right" }, itemStyle: { color: "#1f5fa8" } },
        { type: "bar", xAxisIndex: 1, data: rates, label: { show: true, position: "right", formatter: "{c}%" }, itemStyle: { color: "#2e8540" } }
      ],
      barGap: "-100%"
    });
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
