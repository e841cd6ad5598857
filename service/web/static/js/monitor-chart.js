/* The dashboard's "completed per day" bar chart (Chart.js). */
(function () {
  "use strict";
  var source = document.getElementById("chart-config");
  var canvas = document.getElementById("completed-chart");
  if (!source || !canvas || !window.Chart) return;
  var config = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: config.labels.map(function (day) { return day.slice(5); }),
      datasets: [{ label: config.label, data: config.values, backgroundColor: "rgba(25, 135, 84, 0.75)",
                   borderRadius: 4, maxBarThickness: 28 }]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
    }
  });
  canvas.dataset.ready = "1";
})();
