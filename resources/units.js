// Sizes and durations shown in a unit the user picks, saved as the whole bytes or milliseconds the protocol wants.
// Exact with BigInt, so that any saved value (up to 2^63 - 1) shows and saves back unchanged.
(function (editor) {
  "use strict";
  if (editor.units) { return; }

  /** Largest unit first: a saved value is shown in the largest unit that divides it exactly. */
  var SIZE = [
    { id: "GB", factor: 1073741824n },
    { id: "MB", factor: 1048576n },
    { id: "KB", factor: 1024n },
    { id: "bytes", factor: 1n }
  ];
  var DURATION = [
    { id: "days", factor: 86400000n },
    { id: "hours", factor: 3600000n },
    { id: "minutes", factor: 60000n },
    { id: "seconds", factor: 1000n },
    { id: "milliseconds", factor: 1n }
  ];
  var AMOUNT = /^\s*(\d+)(?:[.,](\d+))?\s*$/;

  function unitById(units, id) {
    for (var i = 0; i < units.length; i++) { if (units[i].id === id) { return units[i]; } }
    return undefined;
  }

  /** A saved whole number as { amount, unit }; blank stays blank (in the fallback unit). */
  function split(units, saved, fallbackUnit) {
    var text = saved === undefined || saved === null ? "" : String(saved).trim();
    if (!/^\d+$/.test(text)) { return { amount: text, unit: fallbackUnit }; }
    var value = BigInt(text);
    for (var i = 0; i < units.length; i++) {
      var factor = units[i].factor;
      if (value !== 0n && value % factor === 0n) { return { amount: String(value / factor), unit: units[i].id }; }
    }
    return { amount: text, unit: units[units.length - 1].id };
  }

  /**
   * An amount typed in a unit as the saved whole number (rounded to the nearest base unit): "" for a blank amount,
   * undefined for text that is no amount.
   */
  function join(units, amount, unitId) {
    var text = amount === undefined || amount === null ? "" : String(amount);
    if (text.trim() === "") { return ""; }
    var match = AMOUNT.exec(text);
    var unit = unitById(units, unitId);
    if (!match || !unit) { return undefined; }
    var fraction = match[2] || "";
    var scale = 10n ** BigInt(fraction.length);
    var scaled = BigInt(match[1] + fraction) * unit.factor;
    return String((scaled * 2n + scale) / (2n * scale));
  }

  editor.units = {
    SIZE: SIZE,
    DURATION: DURATION,
    split: split,
    join: join
  };
})(window.GreengrassStreamManagerEditor = window.GreengrassStreamManagerEditor || {});
