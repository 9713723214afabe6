/**
 * A self-contained query page served at `/`: no CDN, no external script, so it works on an
 * offline government network. It posts JSON to /graphql like any client.
 */
export const QUERY_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>AidHub 社会救助数据枢纽</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.3rem; }
  .row { display: flex; gap: 1rem; }
  textarea, pre { width: 100%; min-height: 24rem; font: 13px/1.4 ui-monospace, monospace; border: 1px solid #bbb; padding: .5rem; box-sizing: border-box; }
  pre { background: #f6f6f6; overflow: auto; white-space: pre-wrap; }
  label { display: block; margin: .5rem 0 .25rem; font-weight: 600; }
  input { width: 100%; font: 13px ui-monospace, monospace; }
  button { margin-top: .5rem; padding: .4rem 1.2rem; font-size: 1rem; }
</style>
</head>
<body>
<h1>AidHub 社会救助数据枢纽 · GraphQL</h1>
<div class="row">
  <div style="flex:1">
    <label for="q">Query 查询</label>
    <textarea id="q">query Household($id: ID!) {
  household(id: $id) {
    registrationNumber
    region { code name }
    members { relation person { idNumber name age } }
    aid { department { code name } programme { name kind } amountFen period { start end } grantDate status }
    aidSummary { totalFen monthlyRecurringFen }
    sources { department { code } available latencyMs }
  }
}</textarea>
    <label for="v">Variables 变量 (JSON)</label>
    <input id="v" value='{"id": "1"}'>
    <label for="h">Headers 请求头 (JSON): an API client's token and the purpose (docs/access.md)</label>
    <input id="h" value='{"authorization": "Bearer PASTE_A_TOKEN_HERE", "x-purpose": "ELIGIBILITY_REVIEW"}'>
    <button id="run">Run 执行</button>
  </div>
  <div style="flex:1"><label>Result 结果</label><pre id="out"></pre></div>
</div>
<script>
document.getElementById('run').addEventListener('click', async () => {
  const out = document.getElementById('out');
  out.textContent = '…';
  try {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json' }, JSON.parse(document.getElementById('h').value || '{}')),
      body: JSON.stringify({ query: document.getElementById('q').value, variables: JSON.parse(document.getElementById('v').value || '{}') }),
    });
    out.textContent = JSON.stringify(await res.json(), null, 2);
  } catch (e) { out.textContent = String(e); }
});
</script>
</body>
</html>
`;
