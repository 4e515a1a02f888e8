// The health of a server's streams in the sidebar: one call to the runtime gives every stream's state and facts and
// the samples of the last hour it took since the previous call; this keeps them per stream (at most an hour, and the
// runtime's bound on samples) and draws them: a badge and a small chart in the list, a section in a stream's view.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;
    var MAX_POINTS = 360;
    var current = null;

    /** What the sidebar knows of one server's health; one server at a time, the one the sidebar shows. */
    function store(configId) {
      var streams = {};
      var points = {};
      var newestAt = -1;
      var thresholds = {};
      var checkedAt = 0;

      function merge(answer) {
        var names = {};
        answer.streams.forEach(function (health) { names[health.stream] = true; streams[health.stream] = health; });
        Object.keys(streams).forEach(function (name) { if (!names[name]) { delete streams[name]; delete points[name]; } });
        var start = answer.checkedAt - sidebar.healthChart.SPAN_MS;
        Object.keys(answer.history).forEach(function (name) {
          if (!names[name]) { return; }
          var known = points[name] || [];
          answer.history[name].forEach(function (point) {
            if (known.length === 0 || point.at > known[known.length - 1].at) { known.push(point); }
            newestAt = Math.max(newestAt, point.at);
          });
          points[name] = known.filter(function (point) { return point.at > start; }).slice(-MAX_POINTS);
        });
        thresholds = answer.thresholds;
        checkedAt = answer.checkedAt;
      }

      return {
        /** Asks the runtime for the states and the samples after the newest one known. */
        refresh: function () { return api.health(configId, newestAt).then(merge); },
        health: function (name) { return streams[name]; },
        points: function (name) { return points[name] || []; },
        thresholds: function () { return thresholds; },
        checkedAt: function () { return checkedAt; }
      };
    }

    function storeFor(configId) {
      if (!current || current.configId !== configId) { current = { configId: configId, store: store(configId) }; }
      return current.store;
    }

    /** The state as a badge. */
    function badge(state) {
      return $("<span>", { class: "sm-sidebar-badge sm-sidebar-health-badge sm-sidebar-health-" + (state || "unknown") }).text(t("health.state." + (state || "unknown")));
    }

    /** For a row of the list: the badge for its title, and the last hour's chart without a legend. */
    function rowParts(known, name) {
      var health = known.health(name);
      var chart = sidebar.healthChart.chart(known.points(name), { now: known.checkedAt() || Date.now(), height: 26, fillThreshold: known.thresholds().fillPercent });
      return { badge: badge(health && health.state), chart: $("<div>", { class: "sm-sidebar-health-chart" }).append(chart) };
    }

    function percent(value) {
      return new Intl.NumberFormat(api.language(), { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value) + " %";
    }

    function thresholdsNote(thresholds) {
      return t("health.thresholds", {
        count: Number(thresholds.exportLagMessages),
        messages: api.format.number(thresholds.exportLagMessages),
        age: api.format.duration(thresholds.exportLagAgeMs),
        grace: api.format.duration(thresholds.errorGraceMs),
        fill: percent(thresholds.fillPercent)
      });
    }

    /** A stream's view: its state, the last hour's chart with its legend, fill, time to full and append rate. */
    function drawSection(parent, known, name) {
      parent.empty();
      var health = known.health(name);
      var head = $("<div>", { class: "sm-sidebar-health-head" }).appendTo(parent);
      badge(health && health.state).appendTo(head);
      parent.append(sidebar.healthChart.withLegend(known.points(name), { now: known.checkedAt() || Date.now(), height: 60, fillThreshold: known.thresholds().fillPercent }));
      if (!health) { return; }
      var full = health.timeToFullMs === undefined ? t("health.notGrowing") : health.timeToFullMs === 0 ? t("health.fullNow") : api.format.duration(health.timeToFullMs);
      var rows = [
        [t("health.fill"), t("health.fillValue", { percent: percent(health.fillPercent) }), health.state === "filling" ? "sm-sidebar-failing" : ""],
        [t("health.timeToFull"), full]
      ];
      if (health.appendRatePerSecond !== undefined) {
        var rate = Math.round(health.appendRatePerSecond * 10) / 10;
        rows.push([t("health.appendRate"), t("health.appendRateValue", { count: rate, rate: new Intl.NumberFormat(api.language(), { maximumFractionDigits: 1 }).format(rate) })]);
      }
      sidebar.table(parent, rows);
      $("<div>", { class: "sm-sidebar-note" }).text(thresholdsNote(known.thresholds())).appendTo(parent);
    }

    /** Rows for an export's card: how much waits and for how long, since when it fails. */
    function exportRows(known, name, identifier) {
      var health = known.health(name);
      var found = health && health.exports.filter(function (entry) { return entry.identifier === identifier; })[0];
      if (!found) { return { state: undefined, rows: [] }; }
      var unsent = found.lagMessages > 0 ? t("health.oldestUnsentValue", { age: api.format.duration(found.lagAgeMs) }) : t("health.nothingUnsent");
      var rows = [[t("health.oldestUnsent"), unsent, found.state === "lagging" ? "sm-sidebar-behind" : ""]];
      if (found.errorSince !== undefined) { rows.push([t("health.errorSince"), api.format.time(found.errorSince), found.state === "failing" ? "sm-sidebar-failing" : ""]); }
      return { state: found.state, rows: rows };
    }

    sidebar.health = { storeFor: storeFor, badge: badge, rowParts: rowParts, drawSection: drawSection, exportRows: exportRows };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
