/* Groundline chat widget: <script src="http://HOST:PORT/widget.js" async></script>
 * data-title    header text (default "Ask our documents")
 * data-theme    "light" (default) or "dark"
 * data-position "bottom-right" (default) or "bottom-left"
 * data-within   answer from these documents alone: one name or folder ("handbook/"), or a JSON
 *               array of them ('["handbook/", "leave policy.pdf"]'); default: every document
 * The chat runs in an iframe on the Groundline server's own origin (embed/ beside this script),
 * so the host page shares no script, cookie or style with it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__groundlineWidget) return;
  window.__groundlineWidget = true;
  // the chat's address beside this script's: a server behind a proxy under /groundline/ serves
  // the script at /groundline/widget.js and the chat at /groundline/embed/
  var embed = new URL("embed/", new URL(script.src, location.href)).href;
  var title = script.getAttribute("data-title") || "Ask our documents";
  var dark = script.getAttribute("data-theme") === "dark";
  var left = script.getAttribute("data-position") === "bottom-left";
  var side = left ? "left" : "right";
  var within = script.getAttribute("data-within") || "";
  if (within.charAt(0) === "[") {
    try { within = JSON.parse(within); } catch (e) { within = [within]; }  // the page's error, shown when asked
  } else {
    within = within ? [within] : [];
  }
  var scope = "";
  for (var i = 0; i < within.length; i++) scope += "&within=" + encodeURIComponent(String(within[i]));
  var bg = dark ? "#1f2937" : "#ffffff", fg = dark ? "#f9fafb" : "#111827";

  var button = document.createElement("button");
  button.id = "groundline-bubble";
  button.type = "button";
  button.setAttribute("aria-label", title);
  // A speech-bubble icon drawn as SVG: emoji fonts are not everywhere.
  var svgNS = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(svgNS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "28");
  icon.setAttribute("height", "28");
  var path = document.createElementNS(svgNS, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  icon.appendChild(path);
  button.appendChild(icon);
  button.style.cssText = "position:fixed;bottom:20px;" + side + ":20px;width:56px;height:56px;" +
    "border-radius:50%;border:none;cursor:pointer;z-index:2147483646;display:flex;" +
    "align-items:center;justify-content:center;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);background:" + (dark ? "#374151" : "#2563eb") + ";color:#fff";

  var panel = document.createElement("div");
  panel.id = "groundline-panel";
  panel.style.cssText = "position:fixed;bottom:88px;" + side + ":20px;width:min(420px,calc(100vw - 40px));" +
    "height:min(640px,calc(100vh - 120px));display:none;flex-direction:column;z-index:2147483647;" +
    "border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3);background:" + bg;

  var header = document.createElement("div");
  header.textContent = title;  // text, never HTML
  header.style.cssText = "padding:10px 14px;font:600 15px system-ui,sans-serif;color:" + fg +
    ";border-bottom:1px solid rgba(127,127,127,.3)";
  panel.appendChild(header);

  var frame = null;
  button.addEventListener("click", function () {
    var open = panel.style.display === "none";
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.id = "groundline-frame";
      frame.title = title;
      frame.src = embed + "?__theme=" + (dark ? "dark" : "light") + scope;
      frame.style.cssText = "flex:1;border:0;width:100%";
      panel.appendChild(frame);
    }
    panel.style.display = open ? "flex" : "none";
  });
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
