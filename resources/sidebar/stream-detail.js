// One stream in the sidebar: its health with the last hour's chart, its definition and storage, each export with its
// progress, lag and state, each consumer with its position, lag and dead letters, and the message viewer; edit and delete for users who may change streams.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;

    function section(parent, titleKey) {
      var wrapper = $("<div>", { class: "sm-sidebar-section" }).appendTo(parent);
      $("<h4>").text(t(titleKey)).appendTo(wrapper);
      return $("<div>", { class: "sm-sidebar-section-body" }).appendTo(wrapper);
    }

    /** Stream Manager's default segment size, which a stream defined without one has. */
    var DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;

    /** "#12", or "nothing yet" where there is no such message (a negative number: none exported yet). */
    function sequenceNumber(value) {
      return value === undefined || value === null || Number(value) < 0 ? t("detail.nothingYet") : "#" + api.format.number(value);
    }

    /** A two-column table of [label, value or element, row class] rows. */
    function table(parent, rows) {
      var element = $("<table>", { class: "sm-sidebar-table" }).appendTo(parent);
      rows.forEach(function (row) {
        var line = $("<tr>").appendTo(element);
        $("<th>").text(row[0]).appendTo(line);
        var cell = $("<td>").appendTo(line);
        if (row[1] instanceof $) { cell.append(row[1]); } else { cell.text(row[1]); }
        if (row[2]) { line.addClass(row[2]); }
      });
      return element;
    }

    function drawDefinition(parent, answer) {
      var summary = answer.summary;
      var form = answer.form;
      parent.empty();
      sidebar.sizeBar(summary).appendTo(parent);
      table(parent, [
        [t("stream.persistence"), t("stream." + summary.persistence)],
        [t("detail.maxSize"), api.format.bytes(summary.maxSize)],
        [t("detail.segmentSize"), form.streamSegmentSize ? api.format.bytes(form.streamSegmentSize) : t("detail.byDefault", { value: api.format.bytes(DEFAULT_SEGMENT_SIZE) })],
        [t("stream.ttl"), summary.timeToLiveMillis === undefined ? t("stream.noTtl") : api.format.duration(summary.timeToLiveMillis)],
        [t("stream.strategy"), t("stream." + summary.strategyOnFull)],
        [t("detail.flushOnWrite"), t(form.flushOnWrite ? "detail.yes" : "detail.no")],
        [t("stream.messages"), api.format.number(summary.messageCount)],
        [t("stream.oldest"), sequenceNumber(summary.oldestSequenceNumber)],
        [t("stream.newest"), sequenceNumber(summary.newestSequenceNumber)]
      ]);
    }

    /** Each export with its progress; with `health` (the streams' health), its state, what waits and since when it fails. */
    function drawExports(parent, exports, health, stream) {
      parent.empty();
      if (exports.length === 0) { $("<div>", { class: "sm-sidebar-placeholder" }).text(t("detail.noExports")).appendTo(parent); return; }
      exports.forEach(function (progress) {
        var card = $("<div>", { class: "sm-sidebar-card" }).appendTo(parent);
        var title = $("<div>", { class: "sm-sidebar-card-title" }).appendTo(card);
        $("<span>").text(progress.identifier).appendTo(title);
        if (progress.kind) { $("<span>", { class: "sm-sidebar-badge" }).text(progress.kind).appendTo(title); }
        var checked = health ? sidebar.health.exportRows(health, stream, progress.identifier) : { rows: [] };
        if (checked.state) { sidebar.health.badge(checked.state).appendTo(title); }
        else if (progress.disabled) { $("<span>", { class: "sm-sidebar-badge" }).text(t("detail.disabled")).appendTo(title); }
        var rows = [
          [t("detail.exportedUpTo"), sequenceNumber(progress.lastExportedSequenceNumber)],
          [t("detail.lastAttempt"), api.format.time(progress.lastExportTime)],
          [t("detail.lag"), t("detail.lagValue", { count: api.format.number(progress.lag) }), Number(progress.lag) > 0 ? "sm-sidebar-behind" : ""]
        ];
        rows = rows.concat(checked.rows);
        if (progress.errorMessage) { rows.push([t("detail.error"), progress.errorMessage, "sm-sidebar-failing"]); }
        table(card, rows);
      });
    }

    /** Asks before forgetting a consumer: its position and delivery counts go with it. */
    function confirmForget(context, stream, consumer) {
      api.confirm(t("detail.forgetConfirm", { consumer: consumer, name: stream }), t("detail.forgetButton", { consumer: consumer }), function () {
        api.forgetConsumer(context.configId(), stream, consumer).then(function () {
          RED.notify($("<p>").text(t("detail.forgotten", { consumer: consumer })), { type: "success", timeout: 3000 });
          context.refreshNow();
        }, api.notifyError);
      }, "sm-sidebar-forget");
    }

    function drawConsumers(parent, context, stream, consumers) {
      parent.empty();
      if (consumers.length === 0) { $("<div>", { class: "sm-sidebar-placeholder" }).text(t("detail.noConsumers")).appendTo(parent); return; }
      consumers.forEach(function (consumer) {
        var card = $("<div>", { class: "sm-sidebar-card sm-sidebar-consumer", "data-consumer": consumer.consumer }).appendTo(parent);
        var title = $("<div>", { class: "sm-sidebar-card-title" }).append($("<span>").text(consumer.consumer)).appendTo(card);
        if (api.canWrite()) {
          $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-forget", title: t("detail.forgetTip") })
            .append($("<i>", { class: "fa fa-user-times" })).append($("<span>").text(" " + t("detail.forget")))
            .on("click", function (event) { event.preventDefault(); confirmForget(context, stream, consumer.consumer); })
            .appendTo(title);
        }
        var letters = $("<span>").text(api.format.number(consumer.deadLetters));
        if (consumer.deadLetterStream) {
          letters = $("<span>").append(letters);
          $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-dead-letters" })
            .text(t("detail.viewDeadLetters"))
            .on("click", function (event) { event.preventDefault(); context.openDeadLetters(stream, consumer.consumer); })
            .appendTo(letters);
        }
        table(card, [
          [t("detail.position"), "#" + api.format.number(consumer.nextSequenceNumber)],
          [t("detail.lag"), t("detail.lagValue", { count: api.format.number(consumer.lag) }), Number(consumer.lag) > 0 ? "sm-sidebar-behind" : ""],
          [t("detail.committedAt"), api.format.time(consumer.committedAt)],
          [t("detail.deadLetters"), letters, Number(consumer.deadLetters) > 0 ? "sm-sidebar-failing" : ""]
        ]);
      });
    }

    function create(context, stream) {
      var element = $("<div>", { class: "sm-sidebar-view sm-sidebar-detail-view", "data-stream": stream });
      var head = $("<div>", { class: "sm-sidebar-detail-head" }).appendTo(element);
      $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-back", title: t("detail.back") })
        .append($("<i>", { class: "fa fa-chevron-left" }))
        .append($("<span>").text(" " + t("detail.back")))
        .on("click", function (event) { event.preventDefault(); context.openList(); })
        .appendTo(head);
      var actions = $("<span>", { class: "sm-sidebar-actions" }).appendTo(head);
      $("<h3>", { class: "sm-sidebar-detail-name" }).text(stream).appendTo(element);
      var error = $("<div>", { class: "sm-sidebar-error" }).hide().appendTo(element);
      // Internal streams (names starting `_`) are not checked, as an sm admin watch leaves them out.
      var watched = stream.charAt(0) !== "_";
      var health = watched ? section(element, "health.title") : null;
      var definition = section(element, "detail.definition");
      var exports = section(element, "detail.exports");
      var consumers = section(element, "detail.consumers");
      var viewer = sidebar.messageViewer(context, stream);
      section(element, "messages.title").append(viewer.element);
      var latest = null;
      var firstLoad = true;

      if (api.canWrite()) {
        $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-edit" })
          .append($("<i>", { class: "fa fa-pencil" })).append($("<span>").text(" " + t("detail.edit")))
          .on("click", function (event) { event.preventDefault(); if (latest) { sidebar.streamTray.openEdit(context, stream, latest.form); } })
          .appendTo(actions);
        $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-delete" })
          .append($("<i>", { class: "fa fa-trash" })).append($("<span>").text(" " + t("detail.delete")))
          .on("click", function (event) { event.preventDefault(); sidebar.streamTray.confirmDelete(context, stream, latest ? latest.summary.messageCount : 0); })
          .appendTo(actions);
      }

      return {
        element: element,
        refresh: function () {
          return api.describe(context.configId(), stream).then(
            function (answer) {
              latest = answer;
              error.hide();
              drawDefinition(definition, answer);
              drawExports(exports, answer.exports);
              drawConsumers(consumers, context, stream, answer.consumers);
              if (firstLoad) { firstLoad = false; viewer.load(); }
              if (!watched) { return; }
              var known = sidebar.health.storeFor(context.configId());
              // A stream whose health cannot be had shows without it.
              return known.refresh().then(function () {
                sidebar.health.drawSection(health, known, stream);
                drawExports(exports, answer.exports, known, stream);
              }, function () {});
            },
            function (failure) {
              if (context.failed(failure)) { return; }
              error.text(failure.code === "ResourceNotFound" ? t("detail.gone", { name: stream }) : failure.message).show();
            }
          );
        }
      };
    }

    sidebar.streamDetail = create;
    sidebar.table = table;
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
