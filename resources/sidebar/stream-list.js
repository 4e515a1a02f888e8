// The sidebar's list of a server's streams: name, persistence, health state, size used of maximum as a bar, the last
// hour's fill and export lag as a small chart, message count, oldest and newest sequence numbers, time to live and
// what happens when full; filtered by name and sorted by any column.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;
    var SORT_KEYS = ["name", "totalBytes", "fill", "messageCount", "newestSequenceNumber"];

    function fillOf(stream) {
      var max = Number(stream.maxSize);
      return max > 0 ? Math.min(1, Number(stream.totalBytes) / max) : 0;
    }

    function sortValue(stream, key) {
      if (key === "name") { return stream.name.toLowerCase(); }
      if (key === "fill") { return fillOf(stream); }
      var value = stream[key];
      return value === undefined ? -1 : Number(value);
    }

    /** The bar of size used of maximum, with the two sizes written under it. */
    function sizeBar(stream) {
      var fill = fillOf(stream);
      var wrapper = $("<div>", { class: "sm-sidebar-size" });
      var bar = $("<div>", { class: "sm-sidebar-bar", title: Math.round(fill * 1000) / 10 + " %" }).appendTo(wrapper);
      $("<div>", { class: "sm-sidebar-bar-fill" + (fill >= 0.9 ? " sm-sidebar-bar-high" : fill >= 0.75 ? " sm-sidebar-bar-warn" : "") })
        .css("width", Math.max(fill > 0 ? 1 : 0, fill * 100) + "%")
        .appendTo(bar);
      $("<div>", { class: "sm-sidebar-muted" })
        .text(t("stream.sizeOf", { used: api.format.bytes(stream.totalBytes), max: api.format.bytes(stream.maxSize) }))
        .appendTo(wrapper);
      return wrapper;
    }

    function facts(stream) {
      var parts = [t("stream.messageCount", { count: api.format.number(stream.messageCount) })];
      parts.push(stream.oldestSequenceNumber === undefined ? t("stream.empty") : t("stream.range", { oldest: api.format.number(stream.oldestSequenceNumber), newest: api.format.number(stream.newestSequenceNumber) }));
      parts.push(stream.timeToLiveMillis === undefined ? t("stream.noTtl") : t("stream.ttlValue", { ttl: api.format.duration(stream.timeToLiveMillis) }));
      parts.push(t("stream." + stream.strategyOnFull));
      if (stream.exportCount > 0) { parts.push(t("stream.exports", { count: stream.exportCount })); }
      return parts;
    }

    /** A row; a stream the health checks cover (all but the internal ones) has its state and last hour in it. */
    function row(context, stream, health) {
      var item = $("<li>", { class: "sm-sidebar-stream" + (stream.internal ? " sm-sidebar-internal" : ""), tabindex: 0, "data-stream": stream.name });
      var title = $("<div>", { class: "sm-sidebar-stream-title" }).appendTo(item);
      $("<span>", { class: "sm-sidebar-stream-name" }).text(stream.name).appendTo(title);
      $("<span>", { class: "sm-sidebar-badge sm-sidebar-persistence-" + stream.persistence }).text(t("stream." + stream.persistence)).appendTo(title);
      if (stream.internal) { $("<span>", { class: "sm-sidebar-badge" }).text(t("stream.internal")).appendTo(title); }
      var parts = stream.internal ? null : sidebar.health.rowParts(health, stream.name);
      if (parts) { parts.badge.appendTo(title); }
      sizeBar(stream).appendTo(item);
      if (parts) { parts.chart.appendTo(item); }
      var line = $("<div>", { class: "sm-sidebar-facts" }).appendTo(item);
      facts(stream).forEach(function (fact) { $("<span>").text(fact).appendTo(line); });
      item.on("click keydown", function (event) {
        if (event.type === "keydown" && event.key !== "Enter") { return; }
        context.openStream(stream.name);
      });
      return item;
    }

    /** The filter, the sort key and direction, the internal-streams toggle and (for users who may) the create button. */
    function toolbar(context, element) {
      var tools = $("<div>", { class: "sm-sidebar-tools" }).appendTo(element);
      var controls = {};
      controls.filter = $("<input>", { type: "search", class: "sm-sidebar-filter", placeholder: t("sidebar.filter"), "aria-label": t("sidebar.filter") }).appendTo(tools);
      var sortRow = $("<div>", { class: "sm-sidebar-sort" }).appendTo(tools);
      $("<label>").text(t("sidebar.sortBy")).appendTo(sortRow);
      controls.sort = $("<select>", { class: "sm-sidebar-sort-key" }).appendTo(sortRow);
      SORT_KEYS.forEach(function (key) { $("<option>").val(key).text(t("sort." + key)).appendTo(controls.sort); });
      controls.direction = $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-sort-direction" }).appendTo(sortRow);
      var optionsRow = $("<div>", { class: "sm-sidebar-options" }).appendTo(tools);
      var internalLabel = $("<label>", { class: "sm-sidebar-internal-toggle" }).appendTo(optionsRow);
      controls.internal = $("<input>", { type: "checkbox" }).appendTo(internalLabel);
      $("<span>").text(t("sidebar.showInternal")).appendTo(internalLabel);
      if (api.canWrite()) {
        $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-create" })
          .append($("<i>", { class: "fa fa-plus" }))
          .append($("<span>").text(" " + t("sidebar.create")))
          .on("click", function (event) { event.preventDefault(); sidebar.streamTray.openCreate(context); })
          .appendTo(optionsRow);
      } else {
        $("<div>", { class: "sm-sidebar-note" }).text(t("sidebar.readOnly")).appendTo(tools);
      }
      return controls;
    }

    /** The streams whose name contains `text` (internal ones only when asked for), sorted by `key`, then by name. */
    function shownStreams(streams, text, key, withInternal, descending) {
      var shown = streams.filter(function (stream) {
        return (withInternal || !stream.internal) && stream.name.toLowerCase().indexOf(text) !== -1;
      });
      return shown.sort(function (a, b) {
        var left = sortValue(a, key);
        var right = sortValue(b, key);
        var order = left < right ? -1 : left > right ? 1 : a.name < b.name ? -1 : 1;
        return descending ? -order : order;
      });
    }

    function create(context) {
      var element = $("<div>", { class: "sm-sidebar-view sm-sidebar-list-view" });
      var controls = toolbar(context, element);
      var filter = controls.filter;
      var sort = controls.sort;
      var direction = controls.direction;
      var internal = controls.internal;
      var note = $("<div>", { class: "sm-sidebar-note" }).appendTo(element);
      var list = $("<ul>", { class: "sm-sidebar-streams" }).appendTo(element);
      var error = $("<div>", { class: "sm-sidebar-error" }).hide().appendTo(element);
      var streams = null;
      var truncated = null;
      var descending = false;

      function showDirection() {
        direction.empty().attr("title", t(descending ? "sidebar.descending" : "sidebar.ascending"))
          .append($("<i>", { class: "fa " + (descending ? "fa-sort-amount-desc" : "fa-sort-amount-asc") }));
      }

      function draw() {
        list.empty();
        note.empty();
        if (!streams) { return; }
        if (truncated) { note.text(t("sidebar.truncated", truncated)); }
        var shown = shownStreams(streams, String(filter.val() || "").toLowerCase(), String(sort.val()), internal.prop("checked"), descending);
        if (streams.length === 0) { $("<li>", { class: "sm-sidebar-placeholder" }).text(t("sidebar.noStreams")).appendTo(list); }
        else if (shown.length === 0) { $("<li>", { class: "sm-sidebar-placeholder" }).text(t("sidebar.noMatch")).appendTo(list); }
        var health = sidebar.health.storeFor(context.configId());
        shown.forEach(function (stream) { row(context, stream, health).appendTo(list); });
      }

      filter.on("input", draw);
      sort.on("change", draw);
      internal.on("change", draw);
      direction.on("click", function (event) {
        event.preventDefault();
        descending = !descending;
        showDirection();
        draw();
      });
      showDirection();

      return {
        element: element,
        refresh: function () {
          return api.overview(context.configId()).then(
            function (answer) {
              error.hide();
              context.showState(answer.state);
              streams = answer.streams;
              truncated = answer.truncated ? { shown: answer.streams.length, total: answer.total } : null;
              draw();
              // The states and charts after the list: a list whose health cannot be had shows without them.
              return sidebar.health.storeFor(context.configId()).refresh().then(draw, function () {});
            },
            function (failure) {
              if (context.failed(failure)) { return; }
              error.text(failure.message).show();
            }
          );
        }
      };
    }

    sidebar.streamList = create;
    sidebar.sizeBar = sizeBar;
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
