// The "Stream Manager" sidebar tab: a server picker with its connection state above one view at a time (the stream
// list, a stream, a consumer's dead letters). The current view is refreshed every few seconds while the tab is on
// screen; when the tab is hidden, the sidebar closed or the browser tab in the background, nothing is requested.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;
    var t = api.t;
    var TAB_ID = "greengrass-stream-manager";
    var REFRESH_MS = 3000;
    var SERVER_KEY = "greengrass-stream-manager.sidebar.server";

    function configNodes() {
      var found = [];
      RED.nodes.eachConfig(function (node) {
        if (node.type === "sm-config") { found.push(node); }
      });
      return found;
    }

    function labelOf(node) {
      return (RED.utils && RED.utils.getNodeLabel ? RED.utils.getNodeLabel(node, node.id) : node.name || node.id);
    }

    function create() {
      var content = $("<div>", { class: "sm-sidebar" });
      var header = $("<div>", { class: "red-ui-sidebar-header sm-sidebar-header" }).appendTo(content);
      var picker = $("<select>", { class: "sm-sidebar-server", "aria-label": t("sidebar.server"), title: t("sidebar.server") }).appendTo(header);
      var refresh = $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-refresh", title: t("sidebar.refresh") })
        .append($("<i>", { class: "fa fa-refresh" }))
        .appendTo(header);
      var state = $("<div>", { class: "sm-sidebar-state" }).appendTo(content);
      var body = $("<div>", { class: "sm-sidebar-body" }).appendTo(content);

      var configId = "";
      var view = null;
      var listView = null;
      var timer = null;
      var running = false;
    var again = false;

      function shown() {
        return content.is(":visible") && !document.hidden;
      }

      function showState(status) {
        state.empty().removeClass("sm-sidebar-state-connected sm-sidebar-state-connecting sm-sidebar-state-disconnected");
        if (!status) { return; }
        state.addClass("sm-sidebar-state-" + status.state);
        $("<i>", { class: "fa fa-circle" }).appendTo(state);
        $("<span>").text(t("state." + status.state, { reason: status.reason || "" })).appendTo(state);
      }

      function showMessage(text) {
        body.empty();
        view = null;
        $("<div>", { class: "sm-sidebar-placeholder" }).text(text).appendTo(body);
      }

      function tick() {
        timer = null;
        if (!shown() || running || !configId) { return; }
        running = true;
        var settled = function () { return $.Deferred().resolve(); };
        // The view first: its request makes the endpoints hold the connection, so the state asked after it is current.
        var work = (view && view.refresh ? view.refresh() : settled()).then(settled, settled).then(function () {
          return api.state(configId).then(showState, function (error) {
            if (error.code === "UnknownConfig") { showState(null); }
          }).then(settled, settled);
        });
        work.always(function () {
          running = false;
          if (again) {
            // A view was opened, or a refresh asked for, while this one was under way: refresh it now.
            again = false;
            tick();
          } else {
            schedule();
          }
        });
      }

      function schedule() {
        clearTimeout(timer);
        timer = null;
        if (shown()) { timer = setTimeout(tick, REFRESH_MS); }
      }

      function refreshNow() {
        clearTimeout(timer);
        timer = null;
        if (running) { again = true; return; }
        tick();
      }

      var context = {
        configId: function () { return configId; },
        refreshNow: refreshNow,
        showState: showState,
        /** Puts a view ({ element, refresh?, leave? }) in the body and refreshes it at once. */
        open: function (next) {
          if (view && view.leave) { view.leave(); }
          body.children().detach();
          view = next;
          body.append(next.element);
          refreshNow();
        },
        openList: function () {
          listView = listView || sidebar.streamList(context);
          context.open(listView);
        },
        openStream: function (name) { context.open(sidebar.streamDetail(context, name)); },
        openDeadLetters: function (stream, consumer) { context.open(sidebar.deadLetterView(context, stream, consumer)); },
        /** For a failed call: a missing config node or server replaces the view with an explanation. */
        failed: function (error) {
          if (error.code === "UnknownConfig") { showMessage(t("sidebar.notDeployed")); listView = null; return true; }
          return false;
        }
      };

      function fillPicker() {
        var nodes = configNodes();
        var wanted = configId || localStorage.getItem(SERVER_KEY) || "";
        picker.empty();
        nodes.forEach(function (node) { $("<option>").val(node.id).text(labelOf(node)).appendTo(picker); });
        if (nodes.length === 0) {
          configId = "";
          showState(null);
          showMessage(t("sidebar.noServer"));
          return;
        }
        var chosen = nodes.some(function (node) { return node.id === wanted; }) ? wanted : nodes[0].id;
        picker.val(chosen);
        if (chosen !== configId || !view) { choose(chosen); }
      }

      function choose(id) {
        configId = id;
        localStorage.setItem(SERVER_KEY, id);
        listView = null;
        showState(null);
        context.openList();
      }

      picker.on("change", function () { choose(String(picker.val())); });
      refresh.on("click", function (event) { event.preventDefault(); refreshNow(); });
      document.addEventListener("visibilitychange", function () { if (shown() && !timer) { refreshNow(); } });
      RED.events.on("sidebar:resize", function () { if (shown() && !timer) { refreshNow(); } });
      ["nodes:add", "nodes:remove", "deploy", "flows:loaded"].forEach(function (event) {
        RED.events.on(event, function (node) {
          if (event === "deploy" || event === "flows:loaded" || (node && node.type === "sm-config")) { setTimeout(fillPicker, 0); }
        });
      });

      RED.sidebar.addTab({
        id: TAB_ID,
        label: t("sidebar.label"),
        name: t("sidebar.name"),
        iconClass: "fa fa-database",
        content: content,
        enableOnEdit: true,
        action: "greengrass-stream-manager:show-sidebar",
        onchange: function () {
          if (!configId || !view) { fillPicker(); }
          setTimeout(refreshNow, 0);
        }
      });
      RED.actions.add("greengrass-stream-manager:show-sidebar", function () { RED.sidebar.show(TAB_ID); }, { label: t("sidebar.showAction") });
      fillPicker();
    }

    sidebar.tab = { create: create, TAB_ID: TAB_ID };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
