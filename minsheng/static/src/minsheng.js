// Minsheng's own behaviour, kept out of the pages so that the Content Security Policy needs no inline handlers.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});
