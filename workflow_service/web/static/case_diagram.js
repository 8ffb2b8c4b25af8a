// Draws the case's process diagram with bpmn-js (served by the service from node_modules) and marks the steps
// the server reported as completed, active and overdue. Presentation only.
//
// The case process is a wide diagram (about 10,000 × 1,800 units): fitted into the page it would be drawn at a
// tenth of its size and nobody could read it. It opens at a legible scale instead, as tall as the window allows,
// showing the whole lane of the step the case stands at (or, for a closed case, the start of the process), and the
// buttons above it zoom in and out, show the whole process, or go back to the current step.
(function () {
  var box = document.getElementById('diagram');
  if (!box) { return; }
  var markers = JSON.parse(document.getElementById('diagram-markers').textContent);
  var LEGIBLE = 0.7;  // text of 12 units is drawn at about 8.5 px
  if (typeof window.BpmnJS !== 'function') {
    box.innerHTML = '<p class="placeholder">流程图组件未安装（请运行 npm install）。</p>';
    return;
  }

  function laneOf(registry, element) {
    var cx = element.x + element.width / 2, cy = element.y + element.height / 2;
    var lanes = registry.filter(function (e) {
      return e.type === 'bpmn:Lane' && cx >= e.x && cx <= e.x + e.width && cy >= e.y && cy <= e.y + e.height;
    });
    lanes.sort(function (a, b) { return a.height - b.height; });  // the innermost lane
    return lanes[0] || null;
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(value, Math.max(low, high))); }

  function show(viewer, focus) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    var fitted = canvas.viewbox();
    var inner = fitted.inner;
    if (fitted.scale >= LEGIBLE) { box.dataset.scale = fitted.scale.toFixed(2); return; }
    // As tall as the whole pool at a legible scale, within the window (never shorter than the stylesheet's).
    var wanted = inner.height * LEGIBLE + 24;
    var tallest = Math.max(box.clientHeight, window.innerHeight - 140);
    box.style.height = Math.round(Math.min(wanted, tallest)) + 'px';
    canvas.resized();
    var outer = canvas.viewbox().outer;
    var width = outer.width / LEGIBLE, height = outer.height / LEGIBLE;
    var x = inner.x - 12, y = inner.y - 12;
    if (focus) {
      x = clamp(focus.x + focus.width / 2 - width / 2, inner.x - 12, inner.x + inner.width - width + 12);
      if (height < inner.height + 24) {
        // Not every lane fits: the whole lane of the current step does (its name included).
        var lane = laneOf(registry, focus) || focus;
        y = lane.height + 24 <= height ? lane.y - 12 : focus.y + focus.height / 2 - height / 2;
        y = clamp(y, inner.y - 12, inner.y + inner.height - height + 12);
      }
    }
    canvas.viewbox({ x: x, y: y, width: width, height: height });
    box.dataset.scale = canvas.viewbox().scale.toFixed(2);
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
        var focusId = (markers.overdue[0] || markers.active[0]);
        var focus = focusId ? registry.get(focusId) : null;
        show(viewer, focus);
        document.querySelectorAll('[data-zoom]').forEach(function (button) {
          button.disabled = false;
          button.addEventListener('click', function () {
            var what = button.dataset.zoom;
            if (what === 'in') { canvas.zoom(canvas.zoom() * 1.25, 'auto'); }
            if (what === 'out') { canvas.zoom(canvas.zoom() / 1.25, 'auto'); }
            if (what === 'all') { canvas.zoom('fit-viewport', 'auto'); }
            if (what === 'current') { show(viewer, focus); }
            box.dataset.scale = canvas.viewbox().scale.toFixed(2);
          });
        });
        box.dataset.rendered = 'true';
      });
    })
    .catch(function (err) {
      box.innerHTML = '<p class="placeholder">流程图加载失败（' + String(err && err.message || err) + '）。</p>';
    });
})();
