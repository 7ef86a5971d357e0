/* The « add a row » buttons of the lists of a form (Django formsets, templates/pilotage/_copil_rows.html).
 * Without this script the form brings blank rows of its own; with it, the button copies the empty row kept in a
 * <template>, numbers it, and puts the focus on its first field. */
(function () {
  "use strict";
  document.querySelectorAll("[data-pti-add-row]").forEach(function (button) {
    var prefix = button.dataset.ptiAddRow;
    var template = document.querySelector('template[data-pti-row-template="' + prefix + '"]');
    var rows = document.querySelector('[data-pti-rows="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var maximum = parseInt(document.getElementById("id_" + prefix + "-MAX_NUM_FORMS").value, 10);
    if (!template || !rows || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= maximum) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      button.disabled = index + 1 >= maximum;
      var first = rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  });
})();
