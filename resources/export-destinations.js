// The export destinations a stream can have (protocol.md §3.3, the SDK's KinesisConfig, IoTAnalyticsConfig,
// IoTSiteWiseConfig, HTTPConfig and S3ExportTaskExecutorConfig): their keys in an ExportDefinition, their fields,
// limits and defaults. The editor builds its forms from this table; the validators check against it.
(function (editor) {
  "use strict";
  if (editor.exportDestinations) { return; }

  var INT64_MAX = 9223372036854775807n;
  var MILLIS_MAX = 9223372036854n;

  function field(path, type, options) {
    var result = { path: path, type: type, required: false };
    Object.keys(options || {}).forEach(function (key) { result[key] = options[key]; });
    return result;
  }

  var IDENTIFIER = field(["identifier"], "streamName", { required: true });
  var PRIORITY = field(["priority"], "integer", { min: 1n, max: 10n });
  var DISABLED = field(["disabled"], "boolean");

  /** The fields Kinesis, IoT Analytics, IoT SiteWise and HTTP share; batchSize limits differ by kind. */
  function batchedFields(maxBatchSize, extra) {
    return [IDENTIFIER].concat(extra, [
      field(["batchSize"], "integer", { min: 1n, max: maxBatchSize, defaultValue: String(maxBatchSize) }),
      field(["batchIntervalMillis"], "duration", { min: 60000n, max: MILLIS_MAX, unit: "minutes" }),
      PRIORITY,
      field(["startSequenceNumber"], "integer", { min: 0n, max: INT64_MAX, defaultValue: "0" }),
      DISABLED
    ]);
  }

  var KINDS = [
    {
      key: "kinesis",
      icon: "fa-random",
      newIdentifier: "KinesisExport",
      summary: ["kinesisStreamName"],
      fields: batchedFields(500n, [field(["kinesisStreamName"], "text", { required: true })])
    },
    {
      key: "iotAnalytics",
      icon: "fa-line-chart",
      newIdentifier: "IoTAnalyticsExport",
      summary: ["iotChannel"],
      fields: batchedFields(100n, [
        field(["iotChannel"], "text", { required: true }),
        field(["iotMsgIdPrefix"], "text", { maxLength: 32 })
      ])
    },
    {
      key: "IotSitewise",
      icon: "fa-industry",
      newIdentifier: "SiteWiseExport",
      summary: [],
      fields: batchedFields(10n, [])
    },
    {
      key: "s3TaskExecutor",
      icon: "fa-archive",
      newIdentifier: "S3Export",
      summary: ["statusConfig", "statusStreamName"],
      fields: [
        IDENTIFIER,
        field(["sizeThresholdForMultipartUploadBytes"], "size", { min: 5242880n, max: INT64_MAX, unit: "MB", defaultValue: "5242880" }),
        field(["statusConfig", "statusStreamName"], "streamName"),
        field(["statusConfig", "statusLevel"], "choice", { options: [0, 1, 2, 3, 4].map(function (value) { return { value: value }; }), defaultValue: 2 }),
        PRIORITY,
        DISABLED
      ]
    },
    {
      key: "http",
      icon: "fa-globe",
      newIdentifier: "HttpExport",
      summary: ["uri"],
      fields: batchedFields(500n, [
        field(["uri"], "text", { required: true }),
        field(["exportFormat"], "choice", { options: [{ value: 0 }, { value: 1 }] })
      ])
    }
  ];

  function kindByKey(key) {
    for (var i = 0; i < KINDS.length; i++) { if (KINDS[i].key === key) { return KINDS[i]; } }
    return undefined;
  }

  /** The value of a field in a destination's config (undefined when unset). */
  function read(config, entry) {
    var value = config;
    for (var i = 0; i < entry.path.length && value !== undefined && value !== null; i++) { value = value[entry.path[i]]; }
    return value === null ? undefined : value;
  }

  /** Sets (or, for undefined, removes) a field; an emptied nested object goes too. Other keys stay as they were. */
  function write(config, entry, value) {
    var parent = config;
    for (var i = 0; i < entry.path.length - 1; i++) {
      var key = entry.path[i];
      if (typeof parent[key] !== "object" || parent[key] === null) {
        if (value === undefined) { return; }
        parent[key] = {};
      }
      parent = parent[key];
    }
    var last = entry.path[entry.path.length - 1];
    if (value === undefined) { delete parent[last]; } else { parent[last] = value; }
    if (entry.path.length > 1 && Object.keys(parent).length === 0) { delete config[entry.path[0]]; }
  }

  /** An identifier no destination in `taken` uses yet: KinesisExport1, KinesisExport2, ... */
  function freshIdentifier(kind, taken) {
    for (var n = 1; ; n++) {
      var candidate = kind.newIdentifier + n;
      if (taken.indexOf(candidate) < 0) { return candidate; }
    }
  }

  editor.exportDestinations = {
    KINDS: KINDS,
    kindByKey: kindByKey,
    read: read,
    write: write,
    freshIdentifier: freshIdentifier
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
