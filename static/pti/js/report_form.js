// The yearly report form (templates/actions/report_form.html), as progressive enhancement: without this script
// last year's texts stay readable and the gap shown is the one computed by the server.
// - "Reprendre le texte de <année>" copies last year's text into its field (asking before replacing typed text);
// - each indicator's gap to this year's target follows the value as it is typed (its <output> is aria-live);
// - "Reprendre N %" copies the progress suggested by the milestones into the progress field.
(function () {
  "use strict";

  var numberFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });

  function parseNumber(raw) {
    var text = (raw || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (text === "" || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) {
      return null;
    }
    return Number(text);
  }

  function formatGap(gap) {
    // Rounded to cents first, as the server's Decimal arithmetic would be.
    var rounded = Math.round(gap * 100) / 100;
    if (rounded > 0) {
      return "+" + numberFormat.format(rounded);
    }
    if (rounded < 0) {
      return "\u2212" + numberFormat.format(-rounded);
    }
    return "0";
  }

  function updateGap(output, input) {
    var target = parseNumber(output.dataset.gapTarget);
    var value = parseNumber(input.value);
    var text = target === null || value === null ? "—" : formatGap(value - target);
    if (output.textContent !== text) {
      output.textContent = text;
    }
  }

  document.querySelectorAll("output[data-gap-input]").forEach(function (output) {
    var input = document.getElementById(output.dataset.gapInput);
    if (!input) {
      return;
    }
    input.addEventListener("input", function () {
      updateGap(output, input);
    });
  });

  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyFrom);
    var field = document.getElementById(button.dataset.copyTo);
    if (!source || !field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (button.dataset.copyAppend !== undefined) {
        text = (button.dataset.copyText || text).trim();
        // A partner's contribution is added after what the referent wrote, never replacing it.
        if (field.value.indexOf(text) === -1) {
          field.value = field.value.trim() === "" ? text : field.value.replace(/\s+$/, "") + "\n\n" + text;
        }
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.focus();
        field.setSelectionRange(field.value.length, field.value.length);
        return;
      }
      if (field.value.trim() !== "" && field.value.trim() !== text) {
        if (!window.confirm("Remplacer le texte déjà saisi par celui de l’an dernier ?")) {
          return;
        }
      }
      field.value = text;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    });
  });

  // "Reprendre N %": the progress the milestones suggest, copied into the progress field (the referent may
  // change it afterwards; nothing is copied without his click).
  document.querySelectorAll("button[data-copy-value]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTo);
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.value = button.dataset.copyValue;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
      field.focus();
    });
  });
})();
