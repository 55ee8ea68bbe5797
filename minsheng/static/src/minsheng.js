// Minsheng's own behaviour, kept out of the pages so that the Content Security Policy needs no inline handlers.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});

// Searchable selects: <select data-searchable> becomes a Tom Select (from npm, loaded by the pages that use it),
// so a member finds one of 400 units or 700 members by typing part of the name. data-placeholder and
// data-no-results carry the page's own wording.
function enhanceSelects(root) {
  if (typeof window.TomSelect !== "function" || !(root instanceof Element || root instanceof Document)) {
    return;
  }
  root.querySelectorAll("select[data-searchable]").forEach((select) => {
    if (select.tomselect) {
      return;
    }
    const noResults = select.dataset.noResults || "";
    new window.TomSelect(select, {
      plugins: select.multiple ? ["remove_button"] : [],
      placeholder: select.dataset.placeholder || "",
      maxOptions: 100,
      closeAfterSelect: true,
      // Filter as each character is typed: the options are all in the page, and a delayed refresh would
      // reopen the list after a quick pick.
      refreshThrottle: 0,
      render: {
        no_results: (data, escape) => `<div class="no-results">${escape(noResults)}</div>`,
      },
    });
  });
}
document.addEventListener("DOMContentLoaded", () => enhanceSelects(document));
document.addEventListener("htmx:load", (event) => enhanceSelects(event.detail.elt));

// A field's error shows until the user edits that field: then its message and red outline go.
function clearFieldError(event) {
  const field = event.target;
  const wrapper = field instanceof Element ? field.closest("[data-field]") : null;
  if (!wrapper) {
    return;
  }
  const gone = new Set();
  wrapper.querySelectorAll("[data-field-error]").forEach((error) => {
    gone.add(error.id);
    error.remove();
  });
  wrapper.querySelectorAll(".is-invalid").forEach((element) => element.classList.remove("is-invalid"));
  wrapper.querySelectorAll("[aria-invalid]").forEach((element) => {
    element.removeAttribute("aria-invalid");
    const described = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && !gone.has(id));
    if (described.length) {
      element.setAttribute("aria-describedby", described.join(" "));
    } else {
      element.removeAttribute("aria-describedby");
    }
  });
}
document.addEventListener("input", clearFieldError);
document.addEventListener("change", clearFieldError);
