// Add and remove rows of an array of objects in a task form. Presentation only: the server validates.
(function () {
  function renumber(list, name) {
    var rows = list.querySelectorAll(':scope > .row-item');
    var pattern = new RegExp('^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\.(\\d+|__i__)\\.');
    rows.forEach(function (row, i) {
      var no = row.querySelector('.row-no');
      if (no) { no.textContent = String(i + 1); }
      row.querySelectorAll('[name]').forEach(function (el) {
        el.name = el.name.replace(pattern, name + '.' + i + '.');
      });
      row.querySelectorAll('[id]').forEach(function (el) {
        el.id = el.id.replace(/-(\d+|__i__)-/, '-' + i + '-');
      });
      row.querySelectorAll('label[for]').forEach(function (el) {
        el.htmlFor = el.htmlFor.replace(/-(\d+|__i__)-/, '-' + i + '-');
      });
    });
  }
  document.addEventListener('click', function (event) {
    var add = event.target.closest('[data-add-row]');
    var remove = event.target.closest('[data-remove-row]');
    if (add) {
      var box = add.closest('[data-rows]');
      var list = box.querySelector(':scope > .row-list');
      list.appendChild(box.querySelector(':scope > template').content.cloneNode(true));
      renumber(list, box.dataset.rows);
      var first = list.lastElementChild.querySelector('input, select, textarea');
      if (first) { first.focus(); }
    } else if (remove) {
      var row = remove.closest('.row-item');
      var rowList = row.parentElement;
      var name = row.closest('[data-rows]').dataset.rows;
      row.remove();
      renumber(rowList, name);
    }
  });
})();
