// Building blocks of the dialogs' form rows, in Node-RED's layout: a label column, then the control. Every label
// and control gets the field's tooltip.
(function (editor) {
  "use strict";
  if (editor.formRows) { return; }

  /** A form row with its label; the control is appended by the caller. */
  function row(parent, id, label, tip) {
    var $row = $('<div class="form-row"></div>').appendTo(parent);
    $('<label></label>').attr("for", id).attr("title", tip).text(label).appendTo($row);
    return $row;
  }

  function textInput($row, id, value, placeholder, tip) {
    return $('<input type="text">').attr({ id: id, placeholder: placeholder || "", title: tip })
      .val(value === undefined || value === null ? "" : String(value)).appendTo($row);
  }

  function select($row, id, options, value, tip) {
    var $select = $("<select></select>").attr({ id: id, title: tip }).appendTo($row);
    options.forEach(function (option) {
      $("<option></option>").val(String(option.value)).text(option.label).appendTo($select);
    });
    $select.val(value === undefined || value === null ? "" : String(value));
    return $select;
  }

  /** A checkbox with its text beside it; the label column stays empty, as in the core nodes. */
  function checkbox(parent, id, checked, text, tip) {
    var $row = $('<div class="form-row"></div>').appendTo(parent);
    $('<label>&nbsp;</label>').appendTo($row);
    var $box = $('<input type="checkbox">').attr({ id: id, title: tip }).prop("checked", checked).appendTo($row);
    $('<label class="sm-inline"></label>').attr({ for: id, title: tip }).text(text).appendTo($row);
    return $box;
  }

  /**
   * An amount and a unit for a size ("size") or a duration ("duration"); `read()` gives the saved whole number
   * ("" when blank, undefined when the amount is no number).
   */
  function amountWithUnit($row, id, measure, saved, fallbackUnit, placeholder, tip) {
    var units = measure === "size" ? editor.units.SIZE : editor.units.DURATION;
    var shown = editor.units.split(units, saved, fallbackUnit);
    var $amount = $('<input type="text" class="sm-amount">').attr({ id: id, placeholder: placeholder || "", title: tip })
      .val(shown.amount).appendTo($row);
    var $unit = select($row, id + "-unit", units.map(function (unit) {
      return { value: unit.id, label: editor.text("definition.unit." + unit.id) };
    }), shown.unit, tip).addClass("sm-unit");
    return {
      $amount: $amount,
      $unit: $unit,
      read: function () { return editor.units.join(units, $amount.val(), $unit.val()); },
      onChange: function (handler) { $amount.on("change keyup", handler); $unit.on("change", handler); }
    };
  }

  editor.formRows = {
    row: row,
    textInput: textInput,
    select: select,
    checkbox: checkbox,
    amountWithUnit: amountWithUnit
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
