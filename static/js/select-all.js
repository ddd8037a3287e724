// A "select all" box for a list of checkboxes: <input type="checkbox" data-select-all="name">
// ticks or clears every checkbox named `name` in the same form.
document.addEventListener("change", (event) => {
  const box = event.target;
  const name = box.dataset ? box.dataset.selectAll : undefined;
  if (!name) return;
  for (const other of box.form.querySelectorAll(`input[type="checkbox"][name="${name}"]`)) {
    other.checked = box.checked;
  }
});
