// Buttons every page may have, wired here rather than in inline handlers (the Content-Security-Policy allows
// scripts from the service's own files only): 打印 prints, 返回上一页 goes back, 预览 opens the chosen document type.
(function () {
  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-action]');
    if (!target) { return; }
    if (target.dataset.action === 'print') { event.preventDefault(); window.print(); }
    if (target.dataset.action === 'back' && window.history.length > 1) { event.preventDefault(); window.history.back(); }
    if (target.dataset.action === 'preview-document') {
      var select = document.getElementById(target.dataset.select);
      target.href = target.getAttribute('href').split('?')[0] + '?doc_type=' + encodeURIComponent(select ? select.value : '');
    }
  });
})();
