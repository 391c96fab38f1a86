// GOV.UK error summary: a link moves focus to the box it names, scrolled so the question
// (its legend or label) shows above it, as a link to an anchor alone would not.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const box = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!box) return;
  event.preventDefault();
  const question = box.closest("fieldset")?.querySelector("legend")
    || document.querySelector(`label[for="${CSS.escape(box.id)}"]`);
  (question || box).scrollIntoView();
  box.focus({ preventScroll: true });
});
