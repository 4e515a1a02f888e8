// The SDK's rules (protocol.md §3.2, §3.3) for what the dialogs save, so that a bad value turns the field red in
// the editor instead of failing later in the runtime. The runtime checks again with lib/protocol/validation.ts.
(function (editor) {
  "use strict";
  if (editor.validators) { return; }

  var STREAM_NAME = /^[A-Za-z0-9_ ,.\-]{1,255}$/;
  var INT64_MAX = 9223372036854775807n;
  var INT32_MAX = 2147483647n;
  var MILLIS_MAX = 9223372036854n;
  // The S3ExportTaskDefinition rules of the SDKs (lib/protocol/validation.ts), and S3's on user metadata.
  var S3_BUCKET = /^(?!(\d+\.)+\d+$)(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
  var S3_KEY = /^([^\\{ }%`[\]"'><~#^?|]|!\{[a-zA-Z]+:[a-zA-Z/]+\})*$/;
  var S3_MAX_METADATA_BYTES = 2048;
  var NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]+$/;

  function isBlank(value) {
    return value === undefined || value === null || String(value).trim() === "";
  }

  function isStreamName(value) {
    return typeof value === "string" && STREAM_NAME.test(value);
  }

  function isS3BucketName(value) {
    return typeof value === "string" && value.length >= 3 && value.length <= 63 && S3_BUCKET.test(value);
  }

  /** An S3 object key, whose !{timestamp:format} placeholders take letters and slashes only. */
  function isS3Key(value) {
    return typeof value === "string" && value.length >= 1 && value.length <= 1024 && S3_KEY.test(value);
  }

  /** JSON text of an object of text values, as S3 user metadata takes (without x-amz-meta-, at most 2 KB). */
  function isS3Metadata(value) {
    var metadata;
    try { metadata = JSON.parse(value); } catch (error) { return false; }
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) { return false; }
    var bytes = 0;
    var valid = Object.keys(metadata).every(function (key) {
      bytes += new TextEncoder().encode(key + metadata[key]).length;
      var lower = key.toLowerCase();
      return typeof metadata[key] === "string" && lower.indexOf("x-amz-meta-") !== 0 && lower.indexOf("$aws-gg-") !== 0;
    });
    return valid && bytes <= S3_MAX_METADATA_BYTES;
  }

  /** An IoT SiteWise property alias: 1 to 2048 characters, none of them a control character. */
  function isSiteWiseAlias(value) {
    return typeof value === "string" && value.length <= 2048 && NO_CONTROL_CHARACTERS.test(value);
  }

  /** A Node-RED `validate` function for an optional text field: blank passes, else `rule` decides on the trimmed text. */
  function blankOr(rule) {
    return function (value) { return isBlank(value) || rule(String(value).trim()); };
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
    isS3BucketName: isS3BucketName,
    isS3Key: isS3Key,
    isS3Metadata: isS3Metadata,
    isSiteWiseAlias: isSiteWiseAlias,
    blankOr: blankOr,
    isIntegerIn: isIntegerIn,
    optionalInteger: optionalInteger,
    fieldIsValid: fieldIsValid,
    destinationProblems: destinationProblems,
    exportDefinitionProblems: exportDefinitionProblems
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
