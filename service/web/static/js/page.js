// What pages used to do in inline handlers, delegated here: the CSP allows no inline script.
(function () {
  "use strict";
  // A select that submits its form when changed (data-lp-autosubmit).
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-lp-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
  // A checkbox that checks or clears every box its data-lp-select-all selector names.
  document.addEventListener("click", function (event) {
    const all = event.target.closest("[data-lp-select-all]");
    if (!all) { return; }
    document.querySelectorAll(all.dataset.lpSelectAll).forEach(function (box) {
      box.checked = all.checked;
    });
  });
  // A form that is only a preview never submits (data-lp-inert), even when swapped in later.
  document.addEventListener("submit", function (event) {
    if (event.target.closest("form[data-lp-inert]")) { event.preventDefault(); }
  });
  // A modal to show as the page opens (data-lp-open-modal), e.g. to show a form's errors.
  document.querySelectorAll("[data-lp-open-modal]").forEach(function (modal) {
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  });
})();
