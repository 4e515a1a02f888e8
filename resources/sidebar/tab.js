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

    /** The tab's elements: a header with the server picker and a refresh button, the connection state, a body. */
    function layout() {
      var content = $("<div>", { class: "sm-sidebar" });
      var header = $("<div>", { class: "red-ui-sidebar-header sm-sidebar-header" }).appendTo(content);
      var picker = $("<select>", { class: "sm-sidebar-server", "aria-label": t("sidebar.server"), title: t("sidebar.server") }).appendTo(header);
      var refresh = $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-refresh", title: t("sidebar.refresh") })
        .append($("<i>", { class: "fa fa-refresh" }))
        .appendTo(header);
      var state = $("<div>", { class: "sm-sidebar-state" }).appendTo(content);
      var body = $("<div>", { class: "sm-sidebar-body" }).appendTo(content);
      return { content: content, picker: picker, refresh: refresh, state: state, body: body };
    }

    /** Shows a server's connection state ({ state, reason }) in the state line, or nothing for null. */
    function stateShower(line) {
      return function (status) {
        line.empty().removeClass("sm-sidebar-state-connected sm-sidebar-state-connecting sm-sidebar-state-disconnected");
        if (!status) { return; }
        line.addClass("sm-sidebar-state-" + status.state);
        $("<i>", { class: "fa fa-circle" }).appendTo(line);
        $("<span>").text(t("state." + status.state, { reason: status.reason || "" })).appendTo(line);
      };
    }

    /**
     * Runs work() (a jQuery promise) every REFRESH_MS while shown() and ready(); one refresh at a time, and a
     * refresh asked for while one is under way runs as soon as it ends.
     */
    function refresher(shown, ready, work) {
      var timer = null;
      var running = false;
      var again = false;

      function tick() {
        timer = null;
        if (!shown() || running || !ready()) { return; }
        running = true;
        work().always(function () {
          running = false;
          if (again) {
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

      function now() {
        clearTimeout(timer);
        timer = null;
        if (running) { again = true; return; }
        tick();
      }

      return { now: now, waiting: function () { return timer !== null; } };
    }

    /** Refreshes when the tab comes back into view, and refills the server picker when config nodes change. */
    function follow(shown, refresh, fillPicker) {
      var whenIdle = function () { if (shown() && !refresh.waiting()) { refresh.now(); } };
      document.addEventListener("visibilitychange", whenIdle);
      RED.events.on("sidebar:resize", whenIdle);
      ["nodes:add", "nodes:remove", "deploy", "flows:loaded"].forEach(function (event) {
        RED.events.on(event, function (node) {
          if (event === "deploy" || event === "flows:loaded" || (node && node.type === "sm-config")) { setTimeout(fillPicker, 0); }
        });
      });
    }

    /** The body shows one view at a time ({ element, refresh?, leave? }), or a sentence in place of one. */
    function viewHost(body) {
      var view = null;
      return {
        current: function () { return view; },
        show: function (next) {
          if (view && view.leave) { view.leave(); }
          body.children().detach();
          view = next;
          body.append(next.element);
        },
        message: function (text) {
          body.empty();
          view = null;
          $("<div>", { class: "sm-sidebar-placeholder" }).text(text).appendTo(body);
        }
      };
    }

    /**
     * Refreshes the view, then asks for the server's state unless the tab was hidden meanwhile; settles whether or
     * not either call succeeded.
     */
    function refreshViewAndState(view, configId, showState, shown) {
      var settled = function () { return $.Deferred().resolve(); };
      // The view first: its request makes the endpoints hold the connection, so the state asked after it is current.
      return (view && view.refresh ? view.refresh() : settled()).then(settled, settled).then(function () {
        if (!shown()) { return settled(); }
        return api.state(configId).then(showState, function (error) {
          if (error.code === "UnknownConfig") { showState(null); }
        }).then(settled, settled);
      });
    }

    function create() {
      var ui = layout();
      var showState = stateShower(ui.state);
      var host = viewHost(ui.body);
      var configId = "";
      var listView = null;
      var shown = function () { return ui.content.is(":visible") && !document.hidden; };
      var refresh = refresher(shown, function () { return configId !== ""; }, function () {
        return refreshViewAndState(host.current(), configId, showState, shown);
      });

      var context = {
        configId: function () { return configId; },
        refreshNow: refresh.now,
        showState: showState,
        /** Puts a view ({ element, refresh?, leave? }) in the body and refreshes it at once. */
        open: function (next) {
          host.show(next);
          refresh.now();
        },
        openList: function () {
          listView = listView || sidebar.streamList(context);
          context.open(listView);
        },
        openStream: function (name) { context.open(sidebar.streamDetail(context, name)); },
        openDeadLetters: function (stream, consumer) { context.open(sidebar.deadLetterView(context, stream, consumer)); },
        /** For a failed call: a missing config node or server replaces the view with an explanation. */
        failed: function (error) {
          if (error.code === "UnknownConfig") { host.message(t("sidebar.notDeployed")); listView = null; return true; }
          return false;
        }
      };

      function choose(id) {
        configId = id;
        localStorage.setItem(SERVER_KEY, id);
        listView = null;
        showState(null);
        context.openList();
      }

      function fillPicker() {
        var nodes = configNodes();
        var wanted = configId || localStorage.getItem(SERVER_KEY) || "";
        ui.picker.empty();
        nodes.forEach(function (node) { $("<option>").val(node.id).text(labelOf(node)).appendTo(ui.picker); });
        if (nodes.length === 0) {
          configId = "";
          showState(null);
          host.message(t("sidebar.noServer"));
          return;
        }
        var chosen = nodes.some(function (node) { return node.id === wanted; }) ? wanted : nodes[0].id;
        ui.picker.val(chosen);
        if (chosen !== configId || !host.current()) { choose(chosen); }
      }

      ui.picker.on("change", function () { choose(String(ui.picker.val())); });
      ui.refresh.on("click", function (event) { event.preventDefault(); refresh.now(); });
      follow(shown, refresh, fillPicker);
      addTab(ui.content, function () {
        if (!configId || !host.current()) { fillPicker(); }
        setTimeout(refresh.now, 0);
      });
      fillPicker();
    }

    function addTab(content, onShow) {
      RED.sidebar.addTab({
        id: TAB_ID,
        label: t("sidebar.label"),
        name: t("sidebar.name"),
        iconClass: "fa fa-database",
        content: content,
        enableOnEdit: true,
        action: "greengrass-stream-manager:show-sidebar",
        onchange: onShow
      });
      RED.actions.add("greengrass-stream-manager:show-sidebar", function () { RED.sidebar.show(TAB_ID); }, { label: t("sidebar.showAction") });
    }

    sidebar.tab = { create: create, TAB_ID: TAB_ID };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
