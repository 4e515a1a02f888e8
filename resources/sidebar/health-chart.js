// A stream's last hour in the sidebar, as a small SVG chart: its fill (percent of its maximum size, the shaded area,
// on a fixed 0-100 % scale) and its export lag (the line: the most messages any one export has still to send, scaled
// to the hour's highest lag), over a strip coloured by its health state. Times with no sample are left blank.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;
    var SVG = "http://www.w3.org/2000/svg";
    var SPAN_MS = 3600000;
    var WIDTH = 300;
    /** Samples further apart than this many usual intervals (and 30 s) are not joined: nothing was sampled between. */
    var GAP_FACTOR = 2.5;
    var MIN_GAP_MS = 30000;

    function svg(tag, attributes) {
      var element = document.createElementNS(SVG, tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, String(attributes[name])); });
      return element;
    }

    function usualInterval(points) {
      var steps = [];
      for (var i = 1; i < points.length; i++) { steps.push(points[i].at - points[i - 1].at); }
      steps.sort(function (a, b) { return a - b; });
      return steps.length > 0 ? steps[Math.floor(steps.length / 2)] : 0;
    }

    /** The samples in runs with no gap between neighbours. */
    function runs(points) {
      var gap = Math.max(MIN_GAP_MS, usualInterval(points) * GAP_FACTOR);
      var found = [];
      points.forEach(function (point, index) {
        if (index === 0 || point.at - points[index - 1].at > gap) { found.push([]); }
        found[found.length - 1].push(point);
      });
      return found;
    }

    function coordinates(run, x, y) {
      return run.map(function (point) { return x(point.at).toFixed(1) + "," + y(point).toFixed(1); }).join(" ");
    }

    /**
     * The chart of `points` ({ at, state, fillPercent, exportLagMessages, exportLagAgeMs }, oldest first) for the hour
     * up to `now`. `height` in pixels (the width follows the sidebar); `fillThreshold` draws the fill alert's line.
     */
    function chart(points, options) {
      var height = options.height || 48;
      var strip = 4;
      var plot = height - strip - 1;
      var start = options.now - SPAN_MS;
      var shown = points.filter(function (point) { return point.at > start; });
      var highestLag = shown.reduce(function (most, point) { return Math.max(most, point.exportLagMessages); }, 0);
      var x = function (at) { return ((at - start) / SPAN_MS) * WIDTH; };
      var fillY = function (point) { return plot - (Math.min(100, point.fillPercent) / 100) * plot; };
      var lagY = function (point) { return plot - (highestLag > 0 ? point.exportLagMessages / highestLag : 0) * (plot - 2); };
      var element = svg("svg", { class: "sm-sidebar-chart", viewBox: "0 0 " + WIDTH + " " + height, preserveAspectRatio: "none", height: height, role: "img" });
      element.setAttribute("aria-label", summary(shown));
      element.appendChild(svg("rect", { class: "sm-sidebar-chart-frame", x: 0, y: 0, width: WIDTH, height: plot }));
      if (options.fillThreshold > 0 && options.fillThreshold <= 100) {
        var level = plot - (options.fillThreshold / 100) * plot;
        element.appendChild(svg("line", { class: "sm-sidebar-chart-threshold", x1: 0, x2: WIDTH, y1: level, y2: level }));
      }
      runs(shown).forEach(function (run) {
        var first = x(run[0].at).toFixed(1);
        var last = x(run[run.length - 1].at).toFixed(1);
        element.appendChild(svg("polygon", { class: "sm-sidebar-chart-fill", points: first + "," + plot + " " + coordinates(run, x, fillY) + " " + last + "," + plot }));
        element.appendChild(svg("polyline", { class: "sm-sidebar-chart-lag", points: coordinates(run, x, lagY), "vector-effect": "non-scaling-stroke" }));
        run.forEach(function (point, index) {
          var next = run[index + 1];
          var width = Math.max(1, (next ? x(next.at) : x(point.at) + 1) - x(point.at));
          element.appendChild(svg("rect", { class: "sm-sidebar-chart-state sm-sidebar-health-" + point.state, x: x(point.at), y: plot + 1, width: width, height: strip }));
        });
      });
      return element;
    }

    /** In words, for the legend and for screen readers: the newest values and the hour's highest. */
    function summary(points) {
      if (points.length === 0) { return t("health.noHistory"); }
      var newest = points[points.length - 1];
      var highestLag = points.reduce(function (most, point) { return Math.max(most, point.exportLagMessages); }, 0);
      var highestFill = points.reduce(function (most, point) { return Math.max(most, point.fillPercent); }, 0);
      return t("health.chartSummary", {
        count: Number(newest.exportLagMessages),
        fill: formatPercent(newest.fillPercent),
        highestFill: formatPercent(highestFill),
        lag: api.format.number(newest.exportLagMessages),
        highestLag: api.format.number(highestLag)
      });
    }

    function formatPercent(value) {
      return new Intl.NumberFormat(api.language(), { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value) + " %";
    }

    /** The chart with its legend under it: what the area and the line mean, and the values they show. */
    function chartWithLegend(points, options) {
      var wrapper = $("<div>", { class: "sm-sidebar-health-chart" });
      wrapper.append(chart(points, options));
      var legend = $("<div>", { class: "sm-sidebar-chart-legend" }).appendTo(wrapper);
      $("<span>", { class: "sm-sidebar-chart-key" }).text(t("health.lastHour")).appendTo(legend);
      $("<span>", { class: "sm-sidebar-chart-key sm-sidebar-chart-key-fill" }).text(t("health.fillKey")).appendTo(legend);
      $("<span>", { class: "sm-sidebar-chart-key sm-sidebar-chart-key-lag" }).text(t("health.lagKey")).appendTo(legend);
      $("<div>", { class: "sm-sidebar-muted sm-sidebar-chart-values" }).text(summary(points.filter(function (point) { return point.at > options.now - SPAN_MS; }))).appendTo(wrapper);
      return wrapper;
    }

    sidebar.healthChart = { chart: chart, withLegend: chartWithLegend, summary: summary, SPAN_MS: SPAN_MS };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
