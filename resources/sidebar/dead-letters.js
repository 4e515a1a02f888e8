// A consumer's dead letters, handled as quarantined data: each with its reason, original stream and number and its
// payload; selected ones can be sent back to their stream for another try, exported as a JSON file, or discarded.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;

    function download(name, value) {
      var blob = new Blob([JSON.stringify(value, null, 2)], { type: "application/json" });
      var link = $("<a>", { href: URL.createObjectURL(blob), download: name }).appendTo(document.body);
      link[0].click();
      setTimeout(function () { URL.revokeObjectURL(link.attr("href")); link.remove(); }, 1000);
    }

    /** The back button to the stream, and the consumer's name as the view's title. */
    function heading(element, context, stream, consumer) {
      var head = $("<div>", { class: "sm-sidebar-detail-head" }).appendTo(element);
      $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-back" })
        .append($("<i>", { class: "fa fa-chevron-left" }))
        .append($("<span>").text(" " + t("deadLetters.back", { stream: stream })))
        .on("click", function (event) { event.preventDefault(); context.openStream(stream); })
        .appendTo(head);
      $("<h3>", { class: "sm-sidebar-detail-name" }).text(t("deadLetters.title", { consumer: consumer })).appendTo(element);
    }

    /** Select all, and the actions on the selection: send back and discard (for users who may write), export. */
    function toolbar(element, stream) {
      var tools = $("<div>", { class: "sm-sidebar-tools sm-sidebar-letter-tools" }).appendTo(element);
      var allLabel = $("<label>").appendTo(tools);
      var all = $("<input>", { type: "checkbox" }).appendTo(allLabel);
      $("<span>").text(" " + t("deadLetters.selectAll")).appendTo(allLabel);
      var buttons = $("<span>", { class: "sm-sidebar-actions" }).appendTo(tools);
      function button(key, icon, extra) {
        return $("<button>", $.extend({ type: "button", class: "red-ui-button red-ui-button-small" }, extra || {}))
          .append($("<i>", { class: "fa " + icon })).append($("<span>").text(" " + t(key)))
          .appendTo(buttons);
      }
      return {
        all: all,
        retry: api.canWrite() ? button("deadLetters.retry", "fa-repeat", { title: t("deadLetters.retryTitle", { stream: stream }) }) : $(),
        discard: api.canWrite() ? button("deadLetters.discard", "fa-trash") : $(),
        exportButton: button("deadLetters.export", "fa-file-code-o")
      };
    }

    /** One letter: its checkbox and original place, reason, deliveries, when it was set aside, and its payload. */
    function drawLetter(list, letter, checked) {
      var item = $("<li>", { class: "sm-sidebar-letter", "data-id": letter.id }).appendTo(list);
      var title = $("<label>", { class: "sm-sidebar-letter-title" }).appendTo(item);
      $("<input>", { type: "checkbox", "data-id": letter.id }).prop("checked", checked).appendTo(title);
      $("<span>").text(" " + t("deadLetters.original", { sequenceNumber: api.format.number(letter.sequenceNumber), stream: letter.stream })).appendTo(title);
      sidebar.table(item, [
        [t("deadLetters.reason"), letter.lastError],
        ["", t("deadLetters.deliveries", { count: api.format.number(letter.deliveryCount) })],
        ["", t("deadLetters.at", { time: api.format.time(letter.deadLetteredAt) })]
      ]);
      sidebar.payload.render(letter).appendTo(item);
    }

    function create(context, stream, consumer) {
      var element = $("<div>", { class: "sm-sidebar-view sm-sidebar-letters-view" });
      heading(element, context, stream, consumer);
      var summary = $("<div>", { class: "sm-sidebar-note" }).appendTo(element);
      var tools = toolbar(element, stream);
      var error = $("<div>", { class: "sm-sidebar-error" }).hide().appendTo(element);
      var list = $("<ul>", { class: "sm-sidebar-letters" }).appendTo(element);
      var letters = [];

      function selected() {
        return list.find("input[type=checkbox]:checked").map(function () { return Number($(this).attr("data-id")); }).get();
      }

      function draw(listing) {
        var kept = selected();
        letters = listing.letters;
        list.empty();
        summary.text(t("deadLetters.pending", { count: api.format.number(listing.pending) }) + (listing.cut ? " " + t("deadLetters.cut") : ""));
        if (letters.length === 0) { $("<li>", { class: "sm-sidebar-placeholder" }).text(t("deadLetters.none")).appendTo(list); }
        letters.forEach(function (letter) { drawLetter(list, letter, kept.indexOf(letter.id) !== -1); });
      }

      function load() {
        return api.deadLetters(context.configId(), stream, consumer).then(
          function (listing) { error.hide(); draw(listing); },
          function (failure) { if (!context.failed(failure)) { error.text(failure.message).show(); } }
        );
      }

      tools.all.on("change", function () { list.find("input[type=checkbox]").prop("checked", tools.all.prop("checked")); });
      tools.retry.on("click", function (event) {
        event.preventDefault();
        var ids = selected();
        if (ids.length === 0) { return; }
        api.retryDeadLetters(context.configId(), stream, consumer, ids).then(function (answer) {
          RED.notify($("<p>").text(t("deadLetters.retried", { count: answer.retried.length, stream: stream })), { type: "success", timeout: 3000 });
          load();
        }, api.notifyError);
      });
      tools.discard.on("click", function (event) {
        event.preventDefault();
        var ids = selected();
        if (ids.length === 0) { return; }
        api.confirm(t("deadLetters.discardConfirm", { count: ids.length, consumer: consumer }), t("deadLetters.discard"), function () {
          api.discardDeadLetters(context.configId(), stream, consumer, ids).then(function (answer) {
            RED.notify($("<p>").text(t("deadLetters.discarded", { count: answer.discarded.length })), { type: "success", timeout: 3000 });
            load();
          }, api.notifyError);
        });
      });
      tools.exportButton.on("click", function (event) {
        event.preventDefault();
        var ids = selected();
        var chosen = ids.length === 0 ? letters : letters.filter(function (letter) { return ids.indexOf(letter.id) !== -1; });
        download("dead-letters-" + stream.replace(/[^A-Za-z0-9_.-]/g, "_") + "-" + consumer.replace(/[^A-Za-z0-9_.-]/g, "_") + ".json", chosen);
      });

      return { element: element, refresh: load };
    }

    sidebar.deadLetterView = create;
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
