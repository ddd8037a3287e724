// Edits are never lost to another button: once a field of the disclosure's form changes, the
// workflow and acknowledgement forms (separate forms on the same page) refuse to submit and
// say to save first. The message comes from the page (data-unsaved-message), in its language.
document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("disclosure_form");
  const panels = document.querySelector("[data-unsaved-message]");
  if (!main || !panels) return;
  let dirty = false;
  main.addEventListener("input", () => { dirty = true; });
  main.addEventListener("change", () => { dirty = true; });
  main.addEventListener("submit", () => { dirty = false; });
  for (const form of panels.querySelectorAll("form")) {
    form.addEventListener("submit", (event) => {
      if (!dirty) return;
      event.preventDefault();
      let note = form.querySelector(".unsaved-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "errornote unsaved-note";
        note.setAttribute("role", "alert");
        note.textContent = panels.dataset.unsavedMessage;
        form.prepend(note);
      }
      note.scrollIntoView({block: "nearest"});
    });
  }
});
