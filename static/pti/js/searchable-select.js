/* SearchableSelectMultiple (pti/widgets.py): a list of native checkboxes, enhanced with a filter box.
 *
 * Without this script the checkboxes work as they are. With it: typing in the filter hides the rows that do not
 * contain every word typed (accents and case ignored); "only the checked ones" hides the others; a live region
 * says how many are checked and shown. Keys: Down arrow or Enter in the filter goes to the first row shown, Up and
 * Down arrows move between the rows shown, Escape in the filter empties it, Space checks a row (native). */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // French: 0 and 1 take the singular.
  function word(root, count, one, many) {
    return count < 2 ? root.dataset[one] : root.dataset[many];
  }

  function enhance(root) {
    if (root.dataset.ptiReady) return;
    root.dataset.ptiReady = "1";
    var tools = root.querySelector("[data-pti-tools]");
    var filter = root.querySelector("[data-pti-filter]");
    var onlyChosen = root.querySelector("[data-pti-only-chosen]");
    var status = root.querySelector("[data-pti-status]");
    var empty = root.querySelector("[data-pti-empty]");
    var rows = Array.prototype.slice.call(root.querySelectorAll("[data-pti-option]")).map(function (row) {
      return { row: row, box: row.querySelector("input"), text: fold(row.textContent) };
    });
    var timer = null;
    tools.hidden = false;

    function shownRows() {
      return rows.filter(function (item) { return !item.row.hidden; });
    }

    function update() {
      var words = fold(filter.value).split(/\s+/).filter(Boolean);
      var chosen = 0;
      var shown = 0;
      rows.forEach(function (item) {
        if (item.box.checked) chosen += 1;
        var visible = words.every(function (w) { return item.text.indexOf(w) !== -1; }) &&
          (!onlyChosen.checked || item.box.checked);
        item.row.hidden = !visible;
        if (visible) shown += 1;
      });
      empty.hidden = shown > 0 || rows.length === 0;
      var text = chosen + " " + word(root, chosen, "one", "many") + " " + root.dataset.of + " " + rows.length;
      if (shown !== rows.length) {
        text += " ; " + shown + " " + word(root, shown, "shownOne", "shownMany");
      }
      // Wait for a pause in typing, so that the screen reader says the count once.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = text; }, 250);
    }

    function focusRow(offset, from) {
      var visible = shownRows();
      if (!visible.length) return;
      var index = visible.findIndex(function (item) { return item.box === from; });
      var next = index === -1 ? 0 : Math.min(Math.max(index + offset, 0), visible.length - 1);
      visible[next].box.focus();
    }

    filter.addEventListener("input", update);
    onlyChosen.addEventListener("change", update);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault(); // Enter must not send the form from the filter box.
        focusRow(0, null);
      } else if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        filter.value = "";
        update();
      }
    });
    rows.forEach(function (item) {
      item.box.addEventListener("change", update);
      item.box.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          var visible = shownRows();
          if (event.key === "ArrowUp" && visible.length && visible[0].box === item.box) {
            filter.focus();
          } else {
            focusRow(event.key === "ArrowDown" ? 1 : -1, item.box);
          }
        }
      });
    });
  }

  function enhanceAll(scope) {
    (scope || document).querySelectorAll("[data-pti-searchable]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  } else {
    enhanceAll();
  }
  // Forms loaded by htmx are enhanced too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
