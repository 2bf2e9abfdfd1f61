/** The buy page's style sheet, inlined under the response's nonce (page.ts). */
export const styles = `
:root { color-scheme: light; --ink: #17202a; --muted: #5d6d7e; --line: #d5dbe1; --accent: #1b5e9b;
  --bad: #a93226; --good: #1e8449; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
  color: var(--ink); background: #f4f6f8; }
main { max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
.lead { color: var(--muted); margin: 0 0 1.25rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: .75rem; padding: 1rem;
  margin-bottom: 1rem; }
label { display: block; font-size: .9rem; margin: .5rem 0 .25rem; }
input { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid var(--line);
  border-radius: .5rem; }
.row { display: flex; gap: .5rem; }
.row > div { flex: 1; }
button { font: inherit; width: 100%; margin-top: .75rem; padding: .7rem; border: 0;
  border-radius: .5rem; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #e8eef4; color: var(--ink); }
button:disabled { opacity: .5; cursor: default; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
dd.strong, dt.strong { font-weight: 600; color: var(--ink); }
.hint { color: var(--muted); font-size: .85rem; margin: .25rem 0 0; }
#signed-in-as { margin: -.5rem 0 .75rem; }
.countdown { margin: .75rem 0 0; font-size: .9rem; color: var(--muted); }
.countdown.expired { color: var(--bad); }
#message { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: .5rem; background: #fdecea;
  color: var(--bad); }
#message.info { background: #eaf4ec; color: var(--good); }
#message.note { background: #eaf1f8; color: var(--ink); }
.link { background: none; color: var(--accent); padding: 0; width: auto; margin-top: .5rem;
  text-decoration: underline; }
[hidden] { display: none !important; }
`;
