// The status page's only styling: one small inline sheet, light and dark, no external assets.
import { constantHtml } from '../html.js';

// A literal (no interpolation), so `constantHtml` accepts it as markup: CSS must not be escaped.
export const PAGE_STYLE = constantHtml(`
:root{color-scheme:light dark;--bg:#f7f8fa;--fg:#1d2330;--muted:#5c6578;--card:#fff;--line:#dde1e8;
--ok:#17663a;--ok-bg:#e3f4e9;--warn:#7a4b00;--warn-bg:#fdf0d5;--bad:#a3161c;--bad-bg:#fde4e4;
--info:#1f4f99;--info-bg:#e2ecfb;--mute-bg:#eceef2;--accent:#2b5fd9}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e4e7ee;--muted:#9aa3b5;--card:#1c2028;--line:#2f3542;
--ok:#7fd9a0;--ok-bg:#173524;--warn:#f5c56b;--warn-bg:#3a2c10;--bad:#ff9a9a;--bad-bg:#43191b;
--info:#9fc1ff;--info-bg:#1a2b4a;--mute-bg:#2a2f3a;--accent:#8fb0ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:100rem;margin:0 auto;padding:0 1.25rem}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1.25rem;padding-top:1rem}
h1{font-size:1.4rem;margin:0}
h2{font-size:1.08rem;margin:0 0 .6rem}
nav a{margin-right:.9rem}
a{color:var(--accent)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.9rem 1rem;margin:1rem 0}
.sub,.count{color:var(--muted);font-size:.85em;font-weight:normal}
.count{margin-left:.5rem}
.headline{font-size:1.15rem;font-weight:600;margin:0 0 .6rem;padding:.5rem .75rem;border-radius:6px}
.figures{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:0}
.figures dt{color:var(--muted);font-size:.82em}
.figures dd{margin:0;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.8em;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
tbody th{font-weight:600;overflow-wrap:anywhere;min-width:8rem}
td.lane-state{min-width:7rem}
td.pause{min-width:10rem}
td.lane-reason{min-width:11rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num{text-align:right}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.82em;font-weight:600;white-space:nowrap;margin:.05rem 0}
a.badge{text-decoration:underline dotted;text-underline-offset:2px}
.tone-ok{background:var(--ok-bg);color:var(--ok)}
.tone-warn{background:var(--warn-bg);color:var(--warn)}
.tone-bad{background:var(--bad-bg);color:var(--bad)}
.tone-info{background:var(--info-bg);color:var(--info)}
.tone-muted{background:var(--mute-bg);color:var(--muted)}
.pause-message{font-style:italic;overflow-wrap:anywhere}
.pause .age{font-variant-numeric:tabular-nums;font-weight:600}
.error,.details{color:var(--muted);font-size:.88em;overflow-wrap:anywhere}
.reason{font-size:.92em}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.runbook{font-size:.82em}
.empty{color:var(--muted);margin:.2rem 0}
.ok-text{color:var(--ok)}
.cycle-error{color:var(--bad)}
.anomalies{margin:0;padding-left:1.1rem}
.anomalies li{margin:.25rem 0}
svg.trend{width:100%;max-width:720px;height:auto;display:block}
.trend-line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round}
.trend-now{fill:var(--accent)}
.trend-axis{stroke:var(--line);stroke-width:1}
.trend-threshold{stroke:var(--bad);stroke-width:1;stroke-dasharray:5 4}
.trend-outage{fill:var(--warn-bg);opacity:.9}
.trend-label{fill:var(--muted);font-size:11px}
footer{color:var(--muted);font-size:.82em;padding-bottom:1.5rem}
`);
