// runcoach copy buttons: a button with data-copy="ID" copies the text of
// the element with that id (a feed link shown once). Without this file the
// buttons stay hidden and the link is there to select by hand.
(() => {
  'use strict';
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    const said = document.getElementById(`${button.dataset.copy}-copied`);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = source.textContent.trim();
      let ok = false;
      try {
        await navigator.clipboard.writeText(text);
        ok = true;
      } catch {
        // No clipboard permission (plain http, older browsers): select the
        // text so the runner's own "copy" takes it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
      if (said) said.textContent = ok ? 'Copied.' : 'Selected: copy it from the menu.';
    });
  }
})();
