// The export destinations of a stream as a list to add to, edit and remove from, each destination edited in its
// own tray with the fields of its kind; and a JSON view for experts. Both write the same saved property: the
// ExportDefinition as JSON text in a hidden input (blank for none), exactly as the dialogs saved it before.
(function (editor) {
  "use strict";
  if (editor.exportEditor) { return; }
  var text = function (key, values) { return editor.text(key, values); };
  var instances = 0;

  function fieldName(field) { return field.path[field.path.length - 1]; }

  function kindLabel(kind) { return text("exports.kind." + kind.key); }

  /** The saved text as [{ kind, config }], or undefined when it is not an ExportDefinition this editor knows. */
  function parse(savedText) {
    if (editor.validators.isBlank(savedText)) { return []; }
    var definition;
    try { definition = JSON.parse(savedText); } catch (error) { return undefined; }
    if (typeof definition !== "object" || definition === null || Array.isArray(definition)) { return undefined; }
    var list = [];
    var known = Object.keys(definition).every(function (key) {
      var kind = editor.exportDestinations.kindByKey(key);
      if (!kind || !Array.isArray(definition[key])) { return false; }
      return definition[key].every(function (config) {
        if (typeof config !== "object" || config === null || Array.isArray(config)) { return false; }
        list.push({ kind: kind, config: config });
        return true;
      });
    });
    return known ? list : undefined;
  }

  /** True when both texts are JSON of the same value (so that unchanged text is saved exactly as it was). */
  function sameJson(first, second) {
    try { return JSON.stringify(JSON.parse(first)) === JSON.stringify(JSON.parse(second)); } catch (error) { return false; }
  }

  /** [{ kind, config }] as an ExportDefinition, kinds in the order they first appear. */
  function toDefinition(list) {
    var definition = {};
    list.forEach(function (item) {
      (definition[item.kind.key] = definition[item.kind.key] || []).push(item.config);
    });
    return definition;
  }

  function summary(item) {
    var target = item.kind.summary.length ? editor.exportDestinations.read(item.config, { path: item.kind.summary }) : undefined;
    return (item.config.identifier || "") + (target ? "  \u2192  " + target : "");
  }

  /** Opens the tray that edits one destination; `done(config)` gets the edited copy, nothing on cancel. */
  function editDestination(kind, config, otherIdentifiers, done) {
    var draft = JSON.parse(JSON.stringify(config));
    var readers = [];
    function collect() {
      var valid = true;
      readers.forEach(function (reader) {
        var value = reader.read();
        var ok = value !== null && editor.validators.fieldIsValid(reader.field, value);
        if (ok && fieldName(reader.field) === "identifier" && otherIdentifiers.indexOf(value) >= 0) { ok = false; }
        reader.$control.toggleClass("input-error", !ok);
        if (ok) { editor.exportDestinations.write(draft, reader.field, value); }
        valid = valid && ok;
      });
      $("#sm-export-dialog-ok").toggleClass("disabled", !valid).prop("disabled", !valid);
      return valid;
    }
    RED.tray.show({
      title: text("exports.editTitle", { kind: kindLabel(kind) }),
      buttons: [
        { id: "sm-export-dialog-cancel", text: RED._("common.label.cancel"), click: function () { RED.tray.close(); } },
        {
          id: "sm-export-dialog-ok",
          text: RED._("common.label.done"),
          class: "primary",
          click: function () {
            if (!collect()) { return; }
            RED.tray.close();
            done(draft);
          }
        }
      ],
      open: function (tray) {
        var form = $('<form class="dialog-form form-horizontal sm-dialog sm-export-form" autocomplete="off"></form>')
          .on("submit", function (event) { event.preventDefault(); })
          .appendTo(tray.find(".red-ui-tray-body"));
        $('<div class="sm-section"></div>').text(kindLabel(kind)).appendTo(form);
        $('<div class="form-tips"></div>').text(text("exports.about." + kind.key)).appendTo(form);
        kind.fields.forEach(function (field) { readers.push(fieldControl(form, field, draft)); });
        readers.forEach(function (reader) { reader.onChange(collect); });
        collect();
      }
    });
  }

  /** One field's row in the destination tray, with a reader giving the value to save (undefined: leave it out). */
  function fieldControl(form, field, config) {
    var name = fieldName(field);
    var id = "sm-export-" + name;
    var label = text("exports.field." + name);
    var tip = text("exports.tip." + name, { max: field.max === undefined ? "" : String(field.max) });
    var value = editor.exportDestinations.read(config, field);
    var placeholder = field.type === "boolean" || field.type === "choice" ? "" : text("exports.placeholder." + name, {
      max: field.max === undefined ? "" : String(field.max)
    });
    var $row;
    if (field.type === "boolean") {
      var $box = editor.formRows.checkbox(form, id, value === true, label, tip);
      return { field: field, $control: $box, read: function () { return $box.prop("checked") ? true : undefined; },
        onChange: function (handler) { $box.on("change", handler); } };
    }
    $row = editor.formRows.row(form, id, label, tip);
    if (field.type === "choice") { return choiceControl($row, id, field, name, value, tip); }
    if (field.type === "size" || field.type === "duration") {
      var amount = editor.formRows.amountWithUnit($row, id, field.type, value === undefined ? "" : String(value), field.unit, placeholder, tip);
      return { field: field, $control: amount.$amount, onChange: amount.onChange, read: function () {
        var saved = amount.read();
        if (saved === undefined) { return null; }
        return saved === "" ? undefined : Number(saved);
      } };
    }
    var $input = editor.formRows.textInput($row, id, value, placeholder, tip);
    return { field: field, $control: $input, onChange: function (handler) { $input.on("input change keyup", handler); }, read: function () {
      var entered = $input.val();
      if (entered.trim() === "") { return undefined; }
      if (field.type === "integer") { return /^\s*\d+\s*$/.test(entered) ? Number(entered) : null; }
      return entered;
    } };
  }

  function choiceControl($row, id, field, name, value, tip) {
    var options = field.options.map(function (option) {
      return { value: option.value, label: text("exports.option." + name + "." + option.value) };
    });
    options.unshift({ value: "", label: text("exports.option.unset." + name) });
    var $select = editor.formRows.select($row, id, options, value, tip);
    return { field: field, $control: $select, onChange: function (handler) { $select.on("change", handler); }, read: function () {
      var chosen = $select.val();
      return chosen === "" || chosen === null ? undefined : Number(chosen);
    } };
  }

  /** The editor's elements: the add row (kind and button), the list/JSON toggle, the list, its placeholder, the JSON box. */
  function layout(container, number) {
    var ui = {};
    ui.$root = $('<div class="sm-exports"></div>').appendTo(container);
    var $toolbar = $('<div class="sm-exports-toolbar"></div>').appendTo(ui.$root);
    ui.$add = $('<span class="sm-exports-add"></span>').appendTo($toolbar);
    ui.$kind = editor.formRows.select(ui.$add, "sm-exports-kind", editor.exportDestinations.KINDS.map(function (kind) {
      return { value: kind.key, label: kindLabel(kind) };
    }), editor.exportDestinations.KINDS[0].key, text("exports.tip.add"));
    ui.$addButton = $('<button type="button" id="sm-exports-add" class="red-ui-button"></button>').attr("title", text("exports.tip.add"))
      .append('<i class="fa fa-plus"></i> ').append($("<span></span>").text(text("exports.button.add"))).appendTo(ui.$add);
    var $views = $('<span class="button-group"></span>').appendTo($toolbar);
    ui.$listButton = $('<button type="button" class="red-ui-button toggle" id="sm-exports-view-list"></button>')
      .text(text("exports.button.list")).attr("title", text("exports.tip.list")).appendTo($views);
    ui.$jsonButton = $('<button type="button" class="red-ui-button toggle" id="sm-exports-view-json"></button>')
      .text(text("exports.button.json")).attr("title", text("exports.tip.json")).appendTo($views);
    ui.$list = $('<ol class="sm-exports-list"></ol>').appendTo(ui.$root);
    ui.$empty = $('<div class="sm-export-empty"></div>').text(text("exports.empty")).appendTo(ui.$root);
    ui.$json = $('<div class="sm-exports-json"></div>').attr("id", "sm-exports-json-" + number).appendTo(ui.$root);
    return ui;
  }

  /**
   * The destinations as rows of `$list`, each opening its tray on a click; `changed` is called after every edit,
   * addition and removal. Returns { items(), show(list), add(kind) }.
   */
  function destinationRows($list, changed) {
    function renderRow(row, item) {
      row.empty();
      var $line = $('<div class="sm-export-row"></div>').appendTo(row);
      $('<i class="fa"></i>').addClass(item.kind.icon).appendTo($line);
      $('<span class="sm-export-kind"></span>').text(kindLabel(item.kind)).appendTo($line);
      $('<span class="sm-export-target"></span>').text(summary(item)).attr("title", summary(item)).appendTo($line);
      if (item.config.disabled === true) { $('<span class="sm-export-paused"></span>').text(text("exports.paused")).appendTo($line); }
      $('<button type="button" class="red-ui-button red-ui-button-small sm-export-edit"><i class="fa fa-pencil"></i></button>')
        .attr("title", text("exports.tip.edit")).appendTo($line);
      $line.on("click", function (event) { event.preventDefault(); openRow(row, item); });
    }

    function items() {
      return $list.editableList("items").toArray().map(function (row) { return $(row).data("data"); });
    }

    function identifiersBut(item) {
      return items().filter(function (other) { return other !== item; }).map(function (other) { return other.config.identifier; });
    }

    function openRow(row, item) {
      editDestination(item.kind, item.config, identifiersBut(item), function (config) {
        item.config = config;
        renderRow(row, item);
        changed();
      });
    }

    $list.editableList({
      addButton: false,
      removable: true,
      sortable: false,
      height: "auto",
      addItem: function (row, index, item) { renderRow(row, item); },
      removeItem: function () { changed(); }
    });

    return {
      items: items,
      show: function (list) {
        $list.editableList("empty");
        list.forEach(function (item) { $list.editableList("addItem", item); });
      },
      add: function (kind) {
        var config = { identifier: editor.exportDestinations.freshIdentifier(kind, identifiersBut(undefined)) };
        editDestination(kind, config, identifiersBut(undefined), function (edited) {
          $list.editableList("addItem", { kind: kind, config: edited });
          changed();
        });
      }
    };
  }

  function pretty(current) {
    try { return JSON.stringify(JSON.parse(current), null, 2); } catch (error) { return current; }
  }

  /**
   * The editor in `container`, saving into `$saved` (the hidden input of the exportDefinition property).
   * `options.addedExport(definition)` may give a note on an export the node adds itself when it creates the stream
   * (shown instead of "No export"). Returns { save(), close(), refresh() }: save() writes the JSON view back before
   * the dialog saves; close() frees it; refresh() shows the note again after a setting it depends on changed.
   */
  function create(container, $saved, options) {
    var addedExport = (options && options.addedExport) || function () { return ""; };
    instances++;
    var originalText = $saved.val();
    var items = parse(originalText);
    var jsonEditor;
    var view = "list";
    var ui = layout(container, instances);
    var rows = destinationRows(ui.$list, writeList);

    /** The list into the saved property; text that means the same as the original stays as it was. */
    function writeList() {
      var list = rows.items();
      var definition = toDefinition(list);
      var unchanged = parse(originalText);
      var textToSave = list.length === 0 ? "" : JSON.stringify(definition);
      if (unchanged && JSON.stringify(toDefinition(unchanged)) === JSON.stringify(definition)) { textToSave = originalText; }
      $saved.val(textToSave).trigger("change");
      render();
    }

    function render() {
      var empty = rows.items().length === 0;
      ui.$list.parent().toggle(view === "list" && !empty);
      ui.$add.toggle(view === "list");
      ui.$json.toggle(view === "json");
      var added = addedExport(toDefinition(rows.items()));
      ui.$empty.text(added || text("exports.empty")).toggleClass("sm-export-added", Boolean(added)).toggle(view === "list" && (empty || Boolean(added)));
      ui.$listButton.toggleClass("selected", view === "list");
      ui.$jsonButton.toggleClass("selected", view === "json");
    }

    function switchTo(next) {
      if (next === view) { return; }
      if (next === "list") {
        var parsed = parse(jsonEditor.getValue());
        var problems = parsed === undefined ? ["JSON"] : editor.validators.exportDefinitionProblems(toDefinition(parsed));
        if (problems.length) {
          RED.notify(text("exports.invalidJson", { where: problems.join(", ") }), "error");
          return;
        }
        view = "list";
        rows.show(parsed);
        writeList();
      } else {
        jsonEditor = jsonEditor || RED.editor.createEditor({ id: ui.$json.attr("id"), mode: "ace/mode/json", value: "" });
        jsonEditor.setValue(pretty($saved.val()), -1);
        view = "json";
      }
      render();
    }

    ui.$addButton.on("click", function () { rows.add(editor.exportDestinations.kindByKey(ui.$kind.val())); });
    ui.$listButton.on("click", function () { switchTo("list"); });
    ui.$jsonButton.on("click", function () { switchTo("json"); });
    rows.show(items || []);
    // Text this editor cannot show as a list (not an ExportDefinition it knows) opens in the JSON view.
    if (items === undefined) { switchTo("json"); }
    render();

    return {
      save: function () {
        if (view !== "json") { return; }
        var typed = jsonEditor.getValue().trim();
        var parsed;
        try { parsed = typed === "" ? undefined : JSON.parse(typed); } catch (error) { $saved.val(typed); return; }
        var compact = parsed === undefined ? "" : JSON.stringify(parsed);
        $saved.val(sameJson(originalText, compact) ? originalText : compact);
      },
      close: function () {
        if (jsonEditor) { jsonEditor.destroy(); jsonEditor = undefined; }
      },
      refresh: render
    };
  }

  editor.exportEditor = { create: create };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
