// The Stream Manager sidebar's calls to the admin endpoints under greengrass-stream-manager/ (relative to the
// editor, so a moved httpAdminRoot works), and the catalog and number formats every sidebar file shares.
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  var CATALOG = "node-red-contrib-greengrass-stream-manager/stream-manager-sidebar:";

  function t(key, options) {
    return RED._(CATALOG + key, options);
  }

  function language() {
    return (RED.i18n && RED.i18n.lang && RED.i18n.lang()) || navigator.language || "en-US";
  }

  function base(configId) {
    return "greengrass-stream-manager/" + encodeURIComponent(configId);
  }

  function streamPath(configId, stream, tail) {
    return base(configId) + "/streams/" + encodeURIComponent(stream) + (tail || "");
  }

  /** A jQuery promise of the JSON answer; a failure carries { status, code, message }. */
  function call(method, url, body) {
    var deferred = $.Deferred();
    $.ajax({
      url: url,
      method: method,
      cache: false,
      dataType: "json",
      contentType: body === undefined ? undefined : "application/json",
      data: body === undefined ? undefined : JSON.stringify(body)
    })
      .done(function (answer) { deferred.resolve(answer); })
      .fail(function (request) {
        var answer = request.responseJSON || {};
        deferred.reject({ status: request.status, code: answer.code || "", message: answer.error || request.statusText || String(request.status) });
      });
    return deferred.promise();
  }

  function formatNumber(value) {
    if (value === undefined || value === null || value === "") { return t("detail.nothingYet"); }
    var number = Number(value);
    if (typeof value === "string" && !Number.isSafeInteger(number)) { return value; }
    return new Intl.NumberFormat(language()).format(number);
  }

  function formatBytes(value) {
    var bytes = Number(value) || 0;
    var units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    var unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) { bytes /= 1024; unit++; }
    var digits = unit === 0 || bytes >= 100 ? 0 : 1;
    return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(bytes) + " " + units[unit];
  }

  function formatDuration(millis) {
    var value = Number(millis);
    var steps = [[86400000, "d"], [3600000, "h"], [60000, "min"], [1000, "s"]];
    for (var i = 0; i < steps.length; i++) {
      if (value >= steps[i][0] && value % steps[i][0] === 0) { return formatNumber(value / steps[i][0]) + " " + steps[i][1]; }
    }
    for (var j = 0; j < steps.length; j++) {
      if (value >= steps[j][0]) { return new Intl.NumberFormat(language(), { maximumFractionDigits: 1 }).format(value / steps[j][0]) + " " + steps[j][1]; }
    }
    return formatNumber(value) + " ms";
  }

  function formatTime(millis) {
    if (millis === undefined || millis === null || millis === "" || Number(millis) <= 0) { return t("detail.never"); }
    return new Date(Number(millis)).toLocaleString(language());
  }

  function canWrite() {
    return !RED.user || !RED.user.hasPermission || RED.user.hasPermission("greengrass-stream-manager.write");
  }

  /**
   * Asks before a change that cannot be undone: a modal warning with `question`, Cancel, and `confirmText`, which runs
   * `onConfirm`. With `idPrefix`, the buttons are `<idPrefix>-cancel` and `<idPrefix>-confirm`.
   */
  function confirm(question, confirmText, onConfirm, idPrefix) {
    var cancel = { text: t("delete.cancel"), click: function () { notice.close(); } };
    var go = { text: $("<span>").text(confirmText).html(), class: "primary", click: function () { notice.close(); onConfirm(); } };
    if (idPrefix) { cancel.id = idPrefix + "-cancel"; go.id = idPrefix + "-confirm"; }
    var notice = RED.notify($("<p>", { class: "sm-sidebar-confirm" }).text(question), { modal: true, fixed: true, type: "warning", buttons: [cancel, go] });
  }

  function notifyError(error) {
    RED.notify($("<p>").text(t("errors.request", { error: error.message })), { type: "error", timeout: 8000 });
  }

  sidebar.api = {
    t: t,
    language: language,
    canWrite: canWrite,
    notifyError: notifyError,
    confirm: confirm,
    format: { number: formatNumber, bytes: formatBytes, duration: formatDuration, time: formatTime },
    state: function (configId) { return call("GET", base(configId) + "/state"); },
    streamNames: function (configId) { return call("GET", base(configId) + "/streams"); },
    overview: function (configId) { return call("GET", base(configId) + "/overview"); },
    /** Every stream's health, with the chart samples taken after `since` (all of them for a negative one). */
    health: function (configId, since) { return call("GET", base(configId) + "/health" + (since >= 0 ? "?since=" + encodeURIComponent(since) : "")); },
    describe: function (configId, stream) { return call("GET", streamPath(configId, stream)); },
    create: function (configId, form) { return call("POST", base(configId) + "/streams", form); },
    update: function (configId, stream, form) { return call("PUT", streamPath(configId, stream), form); },
    remove: function (configId, stream) { return call("DELETE", streamPath(configId, stream)); },
    forgetConsumer: function (configId, stream, consumer) { return call("DELETE", streamPath(configId, stream, "/consumers/" + encodeURIComponent(consumer))); },
    messages: function (configId, stream, query) { return call("GET", streamPath(configId, stream, "/messages?" + $.param(query))); },
    deadLetters: function (configId, stream, consumer) { return call("GET", streamPath(configId, stream, "/dead-letters?" + $.param({ consumer: consumer }))); },
    retryDeadLetters: function (configId, stream, consumer, ids) { return call("POST", streamPath(configId, stream, "/dead-letters/retry"), { consumer: consumer, ids: ids }); },
    discardDeadLetters: function (configId, stream, consumer, ids) { return call("POST", streamPath(configId, stream, "/dead-letters/discard"), { consumer: consumer, ids: ids }); }
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
