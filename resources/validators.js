// The SDK's rules (protocol.md §3.2, §3.3) for what the dialogs save, so that a bad value turns the field red in
// the editor instead of failing later in the runtime. The runtime checks again with lib/protocol/validation.ts.
(function (editor) {
  "use strict";
  if (editor.validators) { return; }

  var STREAM_NAME = /^[A-Za-z0-9_ ,.\-]{1,255}$/;
  var INT64_MAX = 9223372036854775807n;
  var INT32_MAX = 2147483647n;
  var MILLIS_MAX = 9223372036854n;

  function isBlank(value) {
    return value === undefined || value === null || String(value).trim() === "";
  }

  function isStreamName(value) {
    return typeof value === "string" && STREAM_NAME.test(value);
  }

  /** A whole number from min to max (BigInt bounds); blank passes unless required. */
  function isIntegerIn(value, min, max, required) {
    if (isBlank(value)) { return !required; }
    var text = String(value).trim();
    if (!/^\d+$/.test(text)) { return false; }
    var number = BigInt(text);
    return number >= min && number <= max;
  }

  /** A Node-RED `validate` function for a saved whole-number field (blank is allowed: the SDK default applies). */
  function optionalInteger(min, max) {
    return function (value) { return isIntegerIn(value, min, max, false); };
  }

  /** Where an ExportDefinition breaks the rules, as ["kinesis[0].batchSize", ...]; empty when it is valid. */
  function exportDefinitionProblems(definition) {
    var destinations = editor.exportDestinations;
    var problems = [];
    if (typeof definition !== "object" || definition === null || Array.isArray(definition)) { return ["exportDefinition"]; }
    var identifiers = {};
    Object.keys(definition).forEach(function (key) {
      var kind = destinations.kindByKey(key);
      var list = definition[key];
      if (!kind || !Array.isArray(list)) { problems.push(key); return; }
      list.forEach(function (config, index) {
        var where = key + "[" + index + "]";
        if (typeof config !== "object" || config === null || Array.isArray(config)) { problems.push(where); return; }
        destinationProblems(kind, config).forEach(function (field) { problems.push(where + "." + field); });
        if (identifiers[config.identifier]) { problems.push(where + ".identifier"); }
        identifiers[config.identifier] = true;
      });
    });
    return problems;
  }

  /** The fields of one destination that break its kind's rules. */
  function destinationProblems(kind, config) {
    var problems = [];
    kind.fields.forEach(function (field) {
      var value = editor.exportDestinations.read(config, field);
      if (!fieldIsValid(field, value)) { problems.push(field.path.join(".")); }
    });
    return problems;
  }

  function fieldIsValid(field, value) {
    if (value === undefined || value === null) { return !field.required; }
    switch (field.type) {
      case "streamName": return isStreamName(value);
      case "text":
        return typeof value === "string" && value.length >= (field.required ? 1 : 0) &&
          (field.maxLength === undefined || value.length <= field.maxLength);
      case "integer": case "size": case "duration":
        return (typeof value === "number" || typeof value === "bigint") && isIntegerIn(String(value), field.min, field.max, field.required);
      case "boolean": return typeof value === "boolean";
      case "choice": return field.options.some(function (option) { return option.value === value; });
      default: return false;
    }
  }

  editor.validators = {
    INT64_MAX: INT64_MAX,
    INT32_MAX: INT32_MAX,
    MILLIS_MAX: MILLIS_MAX,
    isBlank: isBlank,
    isStreamName: isStreamName,
    isIntegerIn: isIntegerIn,
    optionalInteger: optionalInteger,
    fieldIsValid: fieldIsValid,
    destinationProblems: destinationProblems,
    exportDefinitionProblems: exportDefinitionProblems
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
