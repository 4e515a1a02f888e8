// The stream-definition part of the sm out and sm admin dialogs: sizes and durations in units the user picks,
// choices in words, the export destinations; saved into the node's properties exactly as before (maxSize and
// streamSegmentSize in bytes, timeToLiveMillis in milliseconds, enum names, exportDefinition as JSON text), so
// that existing flows load and save unchanged.
(function (editor) {
  "use strict";
  if (editor.streamDefinitionForm) { return; }
  var text = function (key, values) { return editor.text(key, values); };

  /** Node-RED `defaults` entries of the definition properties, with their validators; shared by both nodes. */
  function defaults() {
    return {
      maxSize: { value: "", validate: editor.validators.optionalInteger(1024n, editor.validators.INT64_MAX) },
      streamSegmentSize: { value: "", validate: editor.validators.optionalInteger(1024n, editor.validators.INT32_MAX) },
      timeToLiveMillis: { value: "", validate: editor.validators.optionalInteger(60000n, editor.validators.MILLIS_MAX) },
      strategyOnFull: { value: "OverwriteOldestData" },
      persistence: { value: "File" },
      flushOnWrite: { value: false },
      exportDefinition: {
        value: "",
        validate: function (value) {
          if (editor.validators.isBlank(value)) { return true; }
          try { return editor.validators.exportDefinitionProblems(JSON.parse(value)).length === 0; } catch (error) { return false; }
        }
      }
    };
  }

  /** A size or duration row whose amount and unit write the saved whole number into a hidden input. */
  function measuredRow(parent, node, property, measure, fallbackUnit) {
    var tip = text("definition.tip." + property);
    var $row = editor.formRows.row(parent, "sm-" + property, text("definition.label." + property), tip);
    var $saved = $('<input type="hidden">').attr("id", "node-input-" + property).val(node[property] || "").appendTo($row);
    var amount = editor.formRows.amountWithUnit($row, "sm-" + property, measure, node[property], fallbackUnit,
      text("definition.placeholder." + property), tip);
    amount.onChange(function () {
      var saved = amount.read();
      $saved.val(saved === undefined ? amount.$amount.val() : saved).trigger("change");
      amount.$amount.toggleClass("input-error", saved === undefined || !node._def.defaults[property].validate.call(node, $saved.val()));
    });
  }

  function choiceRow(parent, node, property, values) {
    var tip = text("definition.tip." + property);
    var $row = editor.formRows.row(parent, "node-input-" + property, text("definition.label." + property), tip);
    editor.formRows.select($row, "node-input-" + property, values.map(function (value) {
      return { value: value, label: text("definition." + property + "." + value) };
    }), node[property] || values[0], tip);
  }

  /**
   * Builds the form into `container` (a jQuery element) from the node's saved properties; `options` go to the export
   * editor. Returns { save(), close() } for the dialog's oneditsave and oneditcancel, and refresh() for its notes.
   */
  function create(container, node, options) {
    var $form = $('<div class="sm-definition"></div>').appendTo(container);
    $('<div class="sm-section"></div>').text(text("definition.section.storage")).appendTo($form);
    measuredRow($form, node, "maxSize", "size", "MB");
    measuredRow($form, node, "streamSegmentSize", "size", "MB");
    measuredRow($form, node, "timeToLiveMillis", "duration", "days");
    choiceRow($form, node, "strategyOnFull", ["OverwriteOldestData", "RejectNewData"]);
    choiceRow($form, node, "persistence", ["File", "Memory"]);
    var $flush = editor.formRows.checkbox($form, "node-input-flushOnWrite", node.flushOnWrite === true || node.flushOnWrite === "true",
      text("definition.label.flushOnWrite"), text("definition.tip.flushOnWrite"));
    function fileOnly() { $flush.closest(".form-row").toggle($("#node-input-persistence").val() === "File"); }
    $("#node-input-persistence").on("change", fileOnly);
    fileOnly();

    $('<div class="sm-section"></div>').text(text("definition.section.exports")).attr("title", text("definition.tip.exportDefinition")).appendTo($form);
    var $exportSaved = $('<input type="hidden" id="node-input-exportDefinition">').val(node.exportDefinition || "").appendTo($form);
    var exports = editor.exportEditor.create($form, $exportSaved, options);
    return {
      save: function () { exports.save(); exports.close(); },
      close: function () { exports.close(); },
      refresh: function () { exports.refresh(); }
    };
  }

  editor.streamDefinitionForm = { defaults: defaults, create: create };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
