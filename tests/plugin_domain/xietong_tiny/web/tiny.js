/* The tiny test domain's page. */
"use strict";
registerPage("tiny", async () => {
  const notes = await api("/tiny/notes");
  $("#main").innerHTML = `<h1>Tiny</h1><ul id="tiny-notes">${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`;
});
