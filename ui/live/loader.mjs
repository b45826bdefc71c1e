// The scenario board's component code as Streamlit holds it (ui/board.py). Streamlit sends a
// component's inline code with every run of it: the board's 62 kB of JavaScript and 10 kB of CSS
// went with every slider's release (measured: 5-9 ms of a release's whole page). So the board's
// code (board.mjs with headline.mjs linked in, and their CSS) comes in the data of a page's first
// run, data.code = {id, js, css}; this loader keeps it for the page and hands every run's data to
// it. A page that has lost it (its code reloaded) asks for it again: the need_code trigger.
// The data comes as JSON bytes (ui.board.encoded: Streamlit sends bytes as they are).
let loaded = null; // {id, module: Promise of the board's module, css}

function styled(parent, code) { // the board's style sheet, once in its place in the page
  let sheet = parent.querySelector(":scope > style.board-style");
  if (sheet && sheet.dataset.id === code.id) return;
  if (!sheet) {
    sheet = document.createElement("style");
    sheet.className = "board-style";
    parent.appendChild(sheet);
  }
  sheet.dataset.id = code.id;
  sheet.textContent = code.css;
}

const utf8 = new TextDecoder();
const parsed = (data) => (data instanceof Uint8Array ? JSON.parse(utf8.decode(data)) : data);

export default async function (given) {
  const args = { ...given, data: parsed(given.data) };
  const code = args.data && args.data.code;
  if (code && (!loaded || loaded.id !== code.id)) {
    const url = URL.createObjectURL(new Blob([code.js], { type: "text/javascript" }));
    loaded = { id: code.id, module: import(url), css: code.css };
  }
  if (!loaded) {
    args.setTriggerValue("need_code", true);
    return undefined;
  }
  styled(args.parentElement, loaded);
  const board = await loaded.module;
  return board.default(args);
}
