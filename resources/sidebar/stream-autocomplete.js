// Stream-name suggestions for the stream fields of the sm in, sm out and sm admin dialogs, from the same endpoint
// the sidebar uses. Each dialog calls it with one line in its oneditprepare:
//   if (editor.sidebar && editor.sidebar.streamAutocomplete) { editor.sidebar.streamAutocomplete("#node-input-stream"); }
// Any valid name typed by hand stays as typed: it is offered first, so Enter or Tab keep it. On a typed input the
// suggestions come only while its type is a plain string.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var STREAM_NAME = /^[A-Za-z0-9_ ,.\-]{1,255}$/;
    var FRESH_MS = 5000;
    var MAX_SHOWN = 50;

    function attach(inputSelector, serverSelector) {
      var input = $(inputSelector);
      var server = $(serverSelector || "#node-input-server");
      var cache = { id: "", at: 0, names: [] };

      function isPlainString() {
        return !input.data("noderedTypedInput") || input.typedInput("type") === "str";
      }

      function names(done) {
        var id = String(server.val() || "");
        if (!id || id === "_ADD_") { done([]); return; }
        if (cache.id === id && Date.now() - cache.at < FRESH_MS) { done(cache.names); return; }
        api.streamNames(id).then(
          function (answer) {
            cache = { id: id, at: Date.now(), names: answer.streams || [] };
            done(cache.names);
          },
          function () { done([]); }
        );
      }

      function search(value, done) {
        if (!isPlainString()) { done([]); return; }
        names(function (all) {
          var text = String(value || "").trim();
          var lower = text.toLowerCase();
          var matches = all.filter(function (name) { return name.toLowerCase().indexOf(lower) !== -1 && name !== text; }).slice(0, MAX_SHOWN);
          if (matches.length === 0) { done([]); return; }
          var options = matches.map(function (name) { return { value: name, label: name }; });
          if (text && STREAM_NAME.test(text)) { options.unshift({ value: text, label: text + " (" + api.t("autocomplete.typed") + ")" }); }
          done(options);
        });
      }

      function ensure() {
        if ($.fn.autoComplete && isPlainString() && !input.hasClass("red-ui-autoComplete")) {
          input.autoComplete({ search: search, minLength: 0 });
        }
      }

      if ($.fn.autoComplete) {
        ensure();
        // A typed input drops its completions when its type changes: put them back when it is a string again.
        input.on("focus change", ensure);
        input.on("click", function () {
          ensure();
          if (input.hasClass("red-ui-autoComplete")) { input.trigger($.Event("keyup", { keyCode: 0 })); }
        });
      } else {
        var list = $("<datalist>", { id: "sm-stream-names-" + Math.random().toString(36).slice(2) }).insertAfter(input);
        input.attr("list", list.attr("id"));
        input.on("focus", function () {
          names(function (all) {
            list.empty();
            all.forEach(function (name) { $("<option>").val(name).appendTo(list); });
          });
        });
      }
    }

    sidebar.streamAutocomplete = attach;
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
