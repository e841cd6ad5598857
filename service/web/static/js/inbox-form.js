// Task and guest forms: add and remove rows of an array without a round trip (the buttons also
// work without JavaScript: the server adds or removes the row and draws the form again).
(function () {
  "use strict";

  function renumber(rows) {
    const list = rows.querySelector("[data-row-list]");
    const items = list.querySelectorAll(":scope > [data-row]");
    items.forEach(function (row, i) {
      const badge = row.querySelector("[data-row-number]");
      if (badge) badge.textContent = String(i + 1);
    });
    const count = rows.querySelector("[data-row-count]");
    if (count) count.textContent = String(items.length);
    const empty = rows.querySelector("[data-rows-empty]");
    if (empty) empty.hidden = items.length > 0;
  }

  function addRow(rows) {
    const template = rows.querySelector(":scope > template[data-row-template]");
    const index = Number(rows.dataset.nextIndex || "0");
    rows.dataset.nextIndex = String(index + 1);
    const html = template.innerHTML.split("__INDEX__").join(String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    rows.querySelector("[data-row-list]").appendChild(row);
    renumber(rows);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.closest("[data-rows]"));
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      const rows = remove.closest("[data-rows]");
      remove.closest("[data-row]").remove();
      renumber(rows);
      return;
    }
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const field = document.querySelector(copy.dataset.copy);
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(function () {});
      copy.innerHTML = '<i class="bi bi-clipboard-check"></i>';
    }
  });
})();
