// ipywidgets 8's HTML manager typesets labels with the MathJax 2 API (MathJax.Hub.Queue) whenever a
// global `MathJax` exists; the book runs MathJax 3, which has no `Hub`, so each label threw
// "Cannot read properties of undefined (reading 'Queue')". Map that call onto MathJax 3.
(function () {
  function queue(command) {
    const mathjax = window.MathJax;
    const element = Array.isArray(command) ? command[2] : null;
    if (!element || !mathjax || !mathjax.typesetPromise) return;
    mathjax.startup.promise.then(() => mathjax.typesetPromise([element])).catch(() => {});
  }
  function install() {
    window.MathJax = window.MathJax || {};
    if (!window.MathJax.Hub) window.MathJax.Hub = { Queue: queue };
  }
  install();
  // MathJax 3 replaces the global object when its (deferred) script runs: install again after that,
  // before the HTML manager (loaded after this file) renders the widgets.
  document.addEventListener("DOMContentLoaded", install);
})();
