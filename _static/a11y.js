// Accessibility fixes for markup we do not write ourselves (Jupyter Book loads every .js file in _static
// on every page). Each fix answers an axe-core "serious" finding.
(function () {
  // The sidebar's expand/collapse toggles are <summary> elements holding only an icon: name them
  // (axe-core rule summary-name).
  function nameSidebarToggles() {
    document.querySelectorAll("summary").forEach((summary) => {
      if (!summary.textContent.trim() && !summary.hasAttribute("aria-label")) {
        const link = summary.parentElement?.parentElement?.querySelector(":scope > a");
        const title = link ? link.textContent.trim() : "this section";
        summary.setAttribute("aria-label", `Show or hide the pages under ${title}`);
      }
    });
  }

  // ipywidgets sliders render their handle as role="slider" without a name; their description sits in
  // a separate label element. Copy it onto the handle (axe-core rule aria-input-field-name).
  function nameSliderHandles(root) {
    root.querySelectorAll?.('[role="slider"]:not([aria-label]):not([aria-labelledby])').forEach((handle) => {
      const widget = handle.closest(".widget-slider, .jupyter-widgets");
      const label = widget?.querySelector(".widget-label, label");
      const text = label?.textContent.trim();
      handle.setAttribute("aria-label", text || "slider");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    nameSidebarToggles();
    nameSliderHandles(document);
    // Embedded widgets are rendered after the page has loaded.
    new MutationObserver((changes) => {
      changes.forEach((change) => change.addedNodes.forEach((node) => node.nodeType === 1 && nameSliderHandles(node)));
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
