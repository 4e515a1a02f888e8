// Texts of the shared editor parts. They live in the sm out catalog (locales/<lang>/sm-out.json, keys
// "definition" and "exports"), which the editor loads with every node of this package, so that sm admin and
// sm out show the same words without a second copy of them.
(function (editor) {
  "use strict";
  if (editor.text) { return; }
  var NAMESPACE = "node-red-contrib-greengrass-stream-manager/sm out:";
  editor.text = function (key, values) {
    return RED._(NAMESPACE + key, values);
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
