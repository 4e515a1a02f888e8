// The stream-definition form of the sidebar's create and edit trays: the form of the sm out and sm admin dialogs
// (GreengrassStreamManagerEditor.streamDefinitionForm, loaded with those nodes) below a name field, saving the same
// fields (DefinitionForm in nodes/shared/stream-definition.ts), so the server checks both with one buildDefinition.
// That form finds its fields by the node dialogs' ids, so while a node dialog is open (the sidebar stays usable
// during an edit) a plain form of the same fields stands in. render(container, values, options) returns
// { read(), check(), close() }.
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var STREAM_NAME = /^[A-Za-z0-9_ ,.\-]{1,255}$/;

    function blankOrRange(min, max) {
      return function (value) {
        var text = String(value === undefined || value === null ? "" : value).trim();
        if (text === "") { return true; }
        if (!/^\d+$/.test(text)) { return false; }
        return BigInt(text) >= BigInt(min) && BigInt(text) <= BigInt(max);
      };
    }

    var CHECKS = {
      name: function (value) { return STREAM_NAME.test(value); },
      maxSize: blankOrRange(1024, "9223372036854775807"),
      streamSegmentSize: blankOrRange(1024, 2147483647),
      timeToLiveMillis: blankOrRange(60000, "9223372036854"),
      exportDefinition: function (value) {
        if (!String(value || "").trim()) { return true; }
        try { var parsed = JSON.parse(value); return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed); } catch (error) { return false; }
      }
    };

    function row(container, labelKey, input, id) {
      var line = $("<div>", { class: "form-row sm-sidebar-form-row" }).appendTo(container);
      $("<label>", { for: id }).text(api.t(labelKey)).appendTo(line);
      input.attr("id", id).appendTo(line);
      return input;
    }

    function select(options) {
      var element = $("<select>");
      options.forEach(function (option) { $("<option>").val(option[0]).text(option[1]).appendTo(element); });
      return element;
    }

    function dialogsForm() {
      var form = editor.streamDefinitionForm;
      var nodeDialogOpen = $("#node-dialog-ok, #node-config-dialog-ok").length > 0;
      return form && typeof form.create === "function" && typeof form.defaults === "function" && !nodeDialogOpen ? form : null;
    }

    function nameRow(container, values, nameEditable) {
      var input = row(container, "form.name", $("<input>", { type: "text", placeholder: api.t("form.namePlaceholder") }), "sm-sidebar-form-name");
      return input.val(values.name || "").prop("disabled", !nameEditable);
    }

    /** The dialogs' own form: its fields keep the node property ids, read here inside the tray only. */
    function renderDialogsForm(form, container, values, nameEditable) {
      container.addClass("sm-dialog"); // the dialogs' layout: labels in one column, amount and unit on one line
      var name = nameRow(container, values, nameEditable);
      var defaults = form.defaults();
      var node = $.extend({}, values, { _def: { defaults: defaults } });
      var handle = form.create(container, node);
      var field = function (key) { return container.find("#node-input-" + key); };
      var saved = false;
      function read() {
        if (!saved) { handle.save(); saved = true; } // writes the JSON view of the exports back, then frees it
        return {
          name: String(name.val()).trim(),
          persistence: field("persistence").val(),
          maxSize: String(field("maxSize").val() || "").trim(),
          streamSegmentSize: String(field("streamSegmentSize").val() || "").trim(),
          timeToLiveMillis: String(field("timeToLiveMillis").val() || "").trim(),
          strategyOnFull: field("strategyOnFull").val(),
          flushOnWrite: field("flushOnWrite").prop("checked") === true,
          exportDefinition: String(field("exportDefinition").val() || "")
        };
      }
      function check() {
        var good = CHECKS.name(String(name.val()).trim());
        name.toggleClass("input-error", !good);
        ["maxSize", "streamSegmentSize", "timeToLiveMillis", "exportDefinition"].forEach(function (key) {
          good = defaults[key].validate.call(node, String(field(key).val() || "")) && good;
        });
        return good;
      }
      name.on("change keyup", check);
      return { read: read, check: check, close: function () { if (!saved) { handle.close(); } } };
    }

    function render(container, values, options) {
      values = values || {};
      var nameEditable = !options || options.nameEditable !== false;
      var shared = dialogsForm();
      if (shared) { return renderDialogsForm(shared, container, values, nameEditable); }
      var prefix = "sm-sidebar-form-";
      var fields = {
        name: nameRow(container, values, nameEditable),
        persistence: row(container, "form.persistence", select([["File", api.t("stream.File")], ["Memory", api.t("stream.Memory")]]), prefix + "persistence"),
        maxSize: row(container, "form.maxSize", $("<input>", { type: "text", placeholder: "268435456" }), prefix + "maxSize"),
        streamSegmentSize: row(container, "form.segmentSize", $("<input>", { type: "text", placeholder: "16777216" }), prefix + "streamSegmentSize"),
        timeToLiveMillis: row(container, "form.timeToLive", $("<input>", { type: "text", placeholder: api.t("form.timeToLivePlaceholder") }), prefix + "timeToLiveMillis"),
        strategyOnFull: row(container, "form.strategy", select([["OverwriteOldestData", api.t("stream.OverwriteOldestData")], ["RejectNewData", api.t("stream.RejectNewData")]]), prefix + "strategyOnFull"),
        flushOnWrite: row(container, "form.flushOnWrite", $("<input>", { type: "checkbox", class: "sm-sidebar-checkbox" }), prefix + "flushOnWrite"),
        exportDefinition: row(container, "form.exportDefinition", $("<textarea>", { rows: 8, class: "sm-sidebar-json", spellcheck: "false" }), prefix + "exportDefinition")
      };
      fields.persistence.val(values.persistence || "File");
      fields.maxSize.val(values.maxSize || "");
      fields.streamSegmentSize.val(values.streamSegmentSize || "");
      fields.timeToLiveMillis.val(values.timeToLiveMillis || "");
      fields.strategyOnFull.val(values.strategyOnFull || "OverwriteOldestData");
      fields.flushOnWrite.prop("checked", values.flushOnWrite === true || values.flushOnWrite === "true");
      fields.exportDefinition.val(values.exportDefinition || "");

      function read() {
        return {
          name: String(fields.name.val()).trim(),
          persistence: fields.persistence.val(),
          maxSize: String(fields.maxSize.val()).trim(),
          streamSegmentSize: String(fields.streamSegmentSize.val()).trim(),
          timeToLiveMillis: String(fields.timeToLiveMillis.val()).trim(),
          strategyOnFull: fields.strategyOnFull.val(),
          flushOnWrite: fields.flushOnWrite.prop("checked"),
          exportDefinition: String(fields.exportDefinition.val())
        };
      }

      function check() {
        var form = read();
        var good = true;
        Object.keys(CHECKS).forEach(function (field) {
          var fine = CHECKS[field](form[field]);
          fields[field].toggleClass("input-error", !fine);
          good = good && fine;
        });
        return good;
      }

      Object.keys(CHECKS).forEach(function (field) { fields[field].on("change keyup", check); });
      return { read: read, check: check, close: function () {} };
    }

    sidebar.definitionForm = { render: render };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
