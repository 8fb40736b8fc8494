// The document viewer's PDF rendering: pdf.js (pdfjs-dist from npm, copied to static/js/pdfjs by the asset
// build) draws each page on a canvas with a text layer over it, so the text can be selected and found. The
// worker comes from 'self' and eval is off, so it runs under the site's CSP ("script-src 'self'").
//
//   <div data-pdf-src="/customers/…/documents/…/content" data-testid="pdf-viewer">
//     <p data-pdf-status>Loading…</p> <div data-pdf-pages></div>
//   </div>
import * as pdfjs from "./pdfjs/pdf.min.mjs";

pdfjs.GlobalWorkerOptions.workerSrc = "/static/js/pdfjs/pdf.worker.min.mjs";

const maxPages = 50; // a longer file is shown in part; the download link has it whole

async function renderPage(pdf, number, into, width) {
  const page = await pdf.getPage(number);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.min(2, Math.max(0.5, width / base.width));
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;

  const box = document.createElement("div");
  box.className = "pdf-page";
  box.setAttribute("data-testid", "pdf-page");
  box.style.width = Math.floor(viewport.width) + "px";
  box.style.height = Math.floor(viewport.height) + "px";
  box.style.setProperty("--total-scale-factor", String(scale));

  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = Math.floor(viewport.width) + "px";
  canvas.style.height = Math.floor(viewport.height) + "px";
  canvas.setAttribute("aria-hidden", "true");
  box.appendChild(canvas);

  const text = document.createElement("div");
  text.className = "pdf-text";
  text.setAttribute("data-testid", "pdf-text");
  box.appendChild(text);
  into.appendChild(box);

  await page.render({
    canvas,
    canvasContext: canvas.getContext("2d"),
    viewport,
    transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
  }).promise;
  const layer = new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport });
  await layer.render();
  box.setAttribute("data-rendered", "true");
}

async function show(viewer) {
  const status = viewer.querySelector("[data-pdf-status]");
  const pages = viewer.querySelector("[data-pdf-pages]");
  try {
    const pdf = await pdfjs.getDocument({ url: viewer.getAttribute("data-pdf-src"), isEvalSupported: false, withCredentials: true }).promise;
    const width = Math.min((pages.clientWidth || 832) - 32, 1000); // inside the padding
    const n = Math.min(pdf.numPages, maxPages);
    for (let i = 1; i <= n; i++) {
      await renderPage(pdf, i, pages, width);
    }
    status.textContent = pdf.numPages > n
      ? `Showing the first ${n} of ${pdf.numPages} pages; download the file to read the rest.`
      : `${pdf.numPages} ${pdf.numPages === 1 ? "page" : "pages"}.`;
    viewer.setAttribute("data-state", "rendered");
  } catch (err) {
    status.textContent = "This PDF could not be shown here (" + (err && err.message ? err.message : "unknown error") + "). Download it to open it.";
    viewer.setAttribute("data-state", "failed");
  }
}

for (const viewer of document.querySelectorAll("[data-pdf-src]")) {
  show(viewer);
}
