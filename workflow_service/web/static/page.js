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

// Field errors are tied to their fields (WCAG 3.3.1): a control in a field marked has-error gets aria-invalid and is
// described by the field's messages. The schema forms and the filing form say so in their HTML already; this
// covers the hand-written forms the same way.
(function () {
  var count = 0;
  document.querySelectorAll('.has-error').forEach(function (field) {
    var messages = Array.prototype.filter.call(field.querySelectorAll('.field-error'), function (m) {
      return m.closest('.has-error') === field;
    });
    if (!messages.length) { return; }
    var ids = messages.map(function (m) {
      if (!m.id) { count += 1; m.id = 'field-error-' + count; }
      return m.id;
    }).join(' ');
    field.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(function (control) {
      if (control.closest('.has-error') !== field) { return; }
      control.setAttribute('aria-invalid', 'true');
      if (!control.hasAttribute('aria-describedby')) { control.setAttribute('aria-describedby', ids); }
    });
    if (field.tagName === 'FIELDSET' && !field.hasAttribute('aria-describedby')) { field.setAttribute('aria-describedby', ids); }
  });
})();
