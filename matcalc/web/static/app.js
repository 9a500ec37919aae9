// matcalc page: copy buttons, and an uploaded problem set submitted as soon as it is chosen.
"use strict";
function copyText(text, button) {
  const done = () => { const old = button.textContent; button.textContent = "copied"; setTimeout(() => { button.textContent = old; }, 1200); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallback(text, done));
  } else {
    fallback(text, done);
  }
}
function fallback(text, done) {
  const area = document.createElement("textarea");
  area.value = text; document.body.appendChild(area); area.select();
  try { document.execCommand("copy"); done(); } finally { area.remove(); }
}
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy], button[data-copy-url]");
  if (!button) return;
  const id = button.getAttribute("data-copy");
  copyText(id ? document.getElementById(id).textContent : window.location.href, button);
});
const file = document.getElementById("file");
if (file) file.addEventListener("change", () => { if (file.files.length) file.form.submit(); });
const formula = document.getElementById("f");
if (formula) formula.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); formula.form.submit(); }
});
// grading or deriving can take a few seconds (torch loads once): say so on the button
document.querySelectorAll("form").forEach((form) => form.addEventListener("submit", () => {
  const button = form.querySelector("button[type=submit]");
  if (button) { button.textContent = "Working…"; button.setAttribute("aria-busy", "true"); }
}));
