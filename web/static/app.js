// Live progress of a job: every element with data-job polls /api/jobs/<id> once a
// second and reloads the page when the job ends. Pages work without this script.
(function () {
  function fmt(v) { return v === null || v === undefined ? "—" : v; }
  var zh = document.documentElement.lang !== "en";
  var ZH = {queued: "排队中", running: "运行中", cancelling: "正在取消", done: "完成", failed: "失败",
            infeasible: "无解", cancelled: "已取消", interrupted: "已中断"};
  var PHASE = {starting: "启动", solving: "求解", explaining: "分析无解原因", writing: "写出方案"};
  function label(s) { return zh && ZH[s] ? ZH[s] : s; }
  function phase(s) { return s === undefined || s === null ? "—" : (zh && PHASE[s] ? PHASE[s] : s); }
  document.querySelectorAll("[data-job]").forEach(function (el) {
    var id = el.getAttribute("data-job");
    var last = el.getAttribute("data-status");
    function tick() {
      fetch("/api/jobs/" + id, {credentials: "same-origin"}).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (j) {
        if (!j) { return; }
        var p = j.progress || {};
        var set = function (name, value) {
          el.querySelectorAll("[data-f=" + name + "]").forEach(function (x) { x.textContent = value; });
        };
        set("status", label(j.status));
        set("phase", phase(p.phase));
        set("elapsed", p.elapsed === undefined ? "—" : p.elapsed.toFixed(1) + " s");
        set("parts", (p.parts_done || 0) + " / " + fmt(p.parts_total));
        set("objective", fmt(p.objective));
        set("bound", fmt(p.bound));
        var bar = el.querySelector(".bar > div");
        if (bar && p.parts_total) { bar.style.width = Math.min(100, 100 * (p.parts_done || 0) / p.parts_total) + "%"; }
        if (j.status !== last && ["queued", "running", "cancelling"].indexOf(j.status) < 0) {
          window.location.reload();
          return;
        }
        last = j.status;
        setTimeout(tick, 1000);
      }).catch(function () { setTimeout(tick, 2000); });
    }
    setTimeout(tick, 500);
  });
})();
