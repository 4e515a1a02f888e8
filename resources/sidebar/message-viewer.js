// The message viewer of a stream: the newest N messages or N from a sequence number, each with its number, ingest
// time and payload (JSON, text or hex, with a copy button). It reads when asked, not on every refresh.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;
    var MAX_COUNT = 100;

    function create(context, stream) {
      var element = $("<div>", { class: "sm-sidebar-viewer" });
      var controls = $("<div>", { class: "sm-sidebar-viewer-controls" }).appendTo(element);
      var mode = $("<select>", { class: "sm-sidebar-viewer-mode" }).appendTo(controls);
      $("<option>").val("newest").text(t("messages.newest")).appendTo(mode);
      $("<option>").val("range").text(t("messages.range")).appendTo(mode);
      var from = $("<input>", { type: "number", min: 0, class: "sm-sidebar-viewer-from", "aria-label": t("messages.range") }).appendTo(controls).hide();
      var countLabel = $("<label>", { class: "sm-sidebar-viewer-count-label" }).appendTo(controls);
      $("<span>").text(t("messages.count")).appendTo(countLabel);
      var count = $("<input>", { type: "number", min: 1, max: MAX_COUNT, value: 10, class: "sm-sidebar-viewer-count" }).appendTo(countLabel);
      var read = $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-viewer-read" })
        .append($("<i>", { class: "fa fa-download" }))
        .append($("<span>").text(" " + t("messages.read")))
        .appendTo(controls);
      var note = $("<div>", { class: "sm-sidebar-note" }).appendTo(element);
      var list = $("<ol>", { class: "sm-sidebar-messages" }).appendTo(element);

      mode.on("change", function () { from.toggle(mode.val() === "range"); });

      function query() {
        var size = Math.max(1, Math.min(MAX_COUNT, Math.floor(Number(count.val()) || 10)));
        count.val(size);
        if (mode.val() === "range") { return { from: String(Math.max(0, Math.floor(Number(from.val()) || 0))), count: size }; }
        return { newest: size };
      }

      function load() {
        read.prop("disabled", true);
        return api.messages(context.configId(), stream, query()).then(
          function (window) {
            list.empty();
            note.text(window.cut ? t("messages.cut") : "");
            if (window.messages.length === 0) { $("<li>", { class: "sm-sidebar-placeholder" }).text(t("messages.none")).appendTo(list); }
            var shown = mode.val() === "newest" ? window.messages.slice().reverse() : window.messages;
            shown.forEach(function (message) {
              var item = $("<li>", { class: "sm-sidebar-message", "data-sequence-number": message.sequenceNumber }).appendTo(list);
              var head = $("<div>", { class: "sm-sidebar-message-head" }).appendTo(item);
              $("<span>", { class: "sm-sidebar-message-number" }).text("#" + api.format.number(message.sequenceNumber)).appendTo(head);
              $("<span>", { class: "sm-sidebar-muted" }).text(t("messages.ingested", { time: api.format.time(message.ingestTime) })).appendTo(head);
              sidebar.payload.render(message).appendTo(item);
            });
          },
          function (failure) {
            list.empty();
            if (!context.failed(failure)) { note.text(failure.message); }
          }
        ).always(function () { read.prop("disabled", false); });
      }

      read.on("click", function (event) { event.preventDefault(); load(); });
      return { element: element, load: load };
    }

    sidebar.messageViewer = create;
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
