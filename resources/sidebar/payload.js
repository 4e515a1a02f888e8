// A message payload as the sidebar shows it: pretty JSON when it is JSON, text when it is readable UTF-8, else a hex
// dump; with its size, a note when only its first bytes came, and a button that copies what is shown.
// Installed by the plugin once every sidebar file has loaded (the editor loads them in any order).
(function (editor) {
  "use strict";
  var sidebar = (editor.sidebar = editor.sidebar || { parts: [] });
  sidebar.parts.push(function () {
    var api = sidebar.api;

    function bytesOf(base64) {
      var binary = atob(base64 || "");
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
      return bytes;
    }

    function utf8(bytes, truncated) {
      // A preview may end inside a character: drop up to 3 trailing bytes before giving up on text.
      for (var cut = 0; cut <= (truncated ? 3 : 0) && cut < bytes.length + 1; cut++) {
        try {
          return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
        } catch (error) { /* try one byte shorter */ }
      }
      return null;
    }

    function readable(text) {
      var control = 0;
      for (var i = 0; i < text.length; i++) {
        var code = text.charCodeAt(i);
        if (code < 32 && code !== 9 && code !== 10 && code !== 13) { control++; }
      }
      return control <= text.length / 50;
    }

    /**
     * Offset, 8 bytes in hex, the same as ASCII: a line that fits the sidebar at its usual width. Previews hold at
     * most 64 KiB, so four hex digits of offset suffice.
     */
    function hexDump(bytes) {
      var lines = [];
      for (var offset = 0; offset < bytes.length; offset += 8) {
        var row = bytes.subarray(offset, offset + 8);
        var hex = Array.prototype.map.call(row, function (byte) { return (byte < 16 ? "0" : "") + byte.toString(16); }).join(" ");
        var ascii = Array.prototype.map.call(row, function (byte) { return byte >= 32 && byte < 127 ? String.fromCharCode(byte) : "."; }).join("");
        lines.push(("000" + offset.toString(16)).slice(-4) + "  " + (hex + new Array(25).join(" ")).slice(0, 24) + " " + ascii);
      }
      return lines.join("\n");
    }

    /** { kind: "json" | "text" | "hex", text } for a base64 payload. */
    function decode(base64, truncated) {
      var bytes = bytesOf(base64);
      var text = utf8(bytes, truncated);
      if (text !== null && !truncated) {
        try {
          var trimmed = text.trim();
          if (trimmed !== "" && (trimmed[0] === "{" || trimmed[0] === "[" || trimmed[0] === "\"")) {
            return { kind: "json", text: JSON.stringify(JSON.parse(trimmed), null, 2) };
          }
        } catch (error) { /* not JSON: text */ }
      }
      if (text !== null && readable(text)) { return { kind: "text", text: text }; }
      return { kind: "hex", text: hexDump(bytes) };
    }

    /** A payload block: kind and size line with a copy button, then the payload. */
    function render(payload) {
      var shown = decode(payload.payload, payload.truncated);
      var block = $("<div>", { class: "sm-sidebar-payload" });
      var bar = $("<div>", { class: "sm-sidebar-payload-bar" }).appendTo(block);
      $("<span>", { class: "sm-sidebar-badge sm-sidebar-kind-" + shown.kind }).text(api.t("messages." + shown.kind)).appendTo(bar);
      $("<span>", { class: "sm-sidebar-muted" }).text(api.format.bytes(payload.size)).appendTo(bar);
      var copy = $("<button>", { type: "button", class: "red-ui-button red-ui-button-small sm-sidebar-copy", title: api.t("messages.copy") })
        .append($("<i>", { class: "fa fa-clipboard" }))
        .appendTo(bar);
      copy.on("click", function (event) {
        event.preventDefault();
        var copied = RED.clipboard && RED.clipboard.copyText
          ? RED.clipboard.copyText(shown.text, copy, "node-red-contrib-greengrass-stream-manager/stream-manager-sidebar:messages.copied")
          : false;
        if (!copied) { RED.notify(api.t("messages.copyFailed"), { type: "warning", timeout: 3000 }); }
      });
      $("<pre>", { class: "sm-sidebar-payload-text sm-sidebar-payload-" + shown.kind }).text(shown.text).appendTo(block);
      if (payload.truncated) {
        $("<div>", { class: "sm-sidebar-note" })
          .text(api.t("messages.truncated", { shown: api.format.bytes(bytesOf(payload.payload).length), size: api.format.bytes(payload.size) }))
          .appendTo(block);
      }
      return block;
    }

    sidebar.payload = { decode: decode, render: render };
  });
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
