// Creating and editing a stream in an editor tray with the stream-definition form, and deleting one after a
// confirmation that names it and says how many messages go with it.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;

    function openTray(context, options) {
      var form = null;
      var saving = false;
      RED.tray.show({
        title: options.title,
        width: 520,
        buttons: [
          { id: "sm-sidebar-tray-cancel", text: t("form.cancel"), click: function () { RED.tray.close(); } },
          {
            id: "sm-sidebar-tray-save",
            class: "primary",
            text: options.saveLabel,
            click: function () {
              if (saving || !form) { return; }
              if (!form.check()) { RED.notify(t("form.invalid"), { type: "warning", timeout: 3000 }); return; }
              saving = true;
              options.save(form.read()).then(
                function () { RED.tray.close(); },
                function (failure) { api.notifyError(failure); }
              ).always(function () { saving = false; });
            }
          }
        ],
        open: function (tray) {
          var body = tray.find(".red-ui-tray-body");
          var container = $("<form>", { class: "dialog-form form-horizontal sm-sidebar-form" }).attr("autocomplete", "off").appendTo(body);
          container.on("submit", function (event) { event.preventDefault(); });
          form = sidebar.definitionForm.render(container, options.values, { nameEditable: options.nameEditable });
          if (options.nameEditable) { container.find("input").first().trigger("focus"); }
        },
        close: function () {
          if (form) { form.close(); }
        }
      });
    }

    function openCreate(context) {
      openTray(context, {
        title: t("form.createTitle"),
        saveLabel: t("form.create"),
        nameEditable: true,
        values: { persistence: "File", strategyOnFull: "OverwriteOldestData" },
        save: function (form) {
          return api.create(context.configId(), form).then(function () {
            RED.notify($("<p>").text(t("form.created", { name: form.name })), { type: "success", timeout: 3000 });
            context.openStream(form.name);
          });
        }
      });
    }

    function openEdit(context, stream, values) {
      openTray(context, {
        // The tray writes its title as HTML: the name comes from the server, so it goes in escaped.
      title: $("<span>").text(t("form.editTitle", { name: stream })).html(),
        saveLabel: t("form.save"),
        nameEditable: false,
        values: values,
        save: function (form) {
          return api.update(context.configId(), stream, form).then(function () {
            RED.notify($("<p>").text(t("form.saved", { name: stream })), { type: "success", timeout: 3000 });
            context.refreshNow();
          });
        }
      });
    }

    function confirmDelete(context, stream, messageCount) {
      api.confirm(t("delete.confirm", { name: stream, count: api.format.number(messageCount) }), t("delete.button", { name: stream }), function () {
        api.remove(context.configId(), stream).then(
          function () {
            RED.notify($("<p>").text(t("delete.deleted", { name: stream })), { type: "success", timeout: 3000 });
            context.openList();
          },
          function (failure) { api.notifyError(failure); }
        );
      }, "sm-sidebar-delete");
    }

    sidebar.streamTray = { openCreate: openCreate, openEdit: openEdit, confirmDelete: confirmDelete };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
