// Draws the case's process diagram with bpmn-js (served by the service from node_modules) and marks the steps
// the server reported as completed, active and overdue. Presentation only.
(function () {
  var box = document.getElementById('diagram');
  if (!box) { return; }
  var markers = JSON.parse(document.getElementById('diagram-markers').textContent);
  if (typeof window.BpmnJS !== 'function') {
    box.innerHTML = '<p class="placeholder">流程图组件未安装（请运行 npm install）。</p>';
    return;
  }
  fetch(box.dataset.src, { credentials: 'same-origin' })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) {
      box.innerHTML = '';
      var viewer = new window.BpmnJS({ container: box });
      return viewer.importXML(xml).then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        ['completed', 'active', 'overdue'].forEach(function (kind) {
          (markers[kind] || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'wf-' + kind); }
          });
        });
        canvas.zoom('fit-viewport');
        var focus = (markers.overdue[0] || markers.active[0]);
        if (focus && registry.get(focus)) {
          var el = registry.get(focus);
          var vb = canvas.viewbox();
          if (vb.scale < 0.6) {
            canvas.zoom(0.8);
            if (canvas.scrollToElement) { canvas.scrollToElement(el, { top: 150, left: 250 }); }
          }
        }
        box.dataset.rendered = 'true';
      });
    })
    .catch(function (err) {
      box.innerHTML = '<p class="placeholder">流程图加载失败（' + String(err && err.message || err) + '）。</p>';
    });
})();
