import { createHash } from 'node:crypto';

/**
 * A self-contained query page served at `/`: no CDN, no external script, so it works on an
 * offline government network. It posts JSON to /graphql like any client.
 *
 * Its one inline script and one inline style are allowed by the Content-Security-Policy through
 * their hashes (QUERY_PAGE_CSP_HASHES), so the policy need not allow inline code in general.
 */
const SCRIPT = `
function objectIn(id, name) {
  const text = document.getElementById(id).value.trim();
  if (text === '') return {};
  let value;
  try { value = JSON.parse(text); } catch (e) { throw new Error(name + ' 不是有效的 JSON / is not valid JSON: ' + e.message); }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(name + ' 应为 JSON 对象 / must be a JSON object: {"name": "value"}');
  return value;
}
function headersIn() {
  const headers = objectIn('h', 'Headers 请求头');
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new Error('Headers 请求头: "' + name + '" 的值应为字符串 / must be a string');
    if (/[^\\x20-\\x7e]/.test(value.replace(/^[\\t\\n\\r ]+|[\\t\\n\\r ]+$/g, ''))) throw new Error('Headers 请求头: "' + name + '" 的值含非 ASCII 字符（中文输入法的全角空格或引号？）/ holds a character that is not ASCII (a full-width space or quote?)');
  }
  return headers;
}
document.getElementById('run').addEventListener('click', async () => {
  const out = document.getElementById('out');
  out.textContent = '…';
  try {
    const headers = Object.assign({ 'content-type': 'application/json' }, headersIn());
    const variables = objectIn('v', 'Variables 变量');
    const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: document.getElementById('q').value, variables }) });
    const text = await res.text();
    let answer;
    try { answer = JSON.parse(text); } catch (e) { out.textContent = 'HTTP ' + res.status + ' ' + res.statusText + ': 应答不是 JSON / the answer is not JSON\\n\\n' + text.slice(0, 2000); return; }
    out.textContent = JSON.stringify(answer, null, 2);
  } catch (e) { out.textContent = e instanceof Error ? e.message : String(e); }
});
`;

const STYLE = `
  body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.3rem; }
  .row { display: flex; gap: 1rem; }
  .col { flex: 1; }
  textarea, pre { width: 100%; min-height: 24rem; font: 13px/1.4 ui-monospace, monospace; border: 1px solid #bbb; padding: .5rem; box-sizing: border-box; }
  pre { background: #f6f6f6; overflow: auto; white-space: pre-wrap; }
  label { display: block; margin: .5rem 0 .25rem; font-weight: 600; }
  input { width: 100%; font: 13px ui-monospace, monospace; }
  button { margin-top: .5rem; padding: .4rem 1.2rem; font-size: 1rem; }
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** CSP source expressions for the page's inline code. */
export const QUERY_PAGE_CSP_HASHES = { script: sha256(SCRIPT), style: sha256(STYLE) };

/** The page, with `exampleHouseholdId` in its variables (a demo household that has aid). */
export function queryPage(exampleHouseholdId = '1'): string {
  const variables = JSON.stringify({ id: String(exampleHouseholdId) }).replace(/'/g, '&#39;');
  return PAGE.replace('__VARIABLES__', variables);
}

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>AidHub 社会救助数据枢纽</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
</head>
<body>
<h1>AidHub 社会救助数据枢纽 · GraphQL</h1>
<div class="row">
  <div class="col">
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
    <input id="v" value='__VARIABLES__'>
    <label for="h">Headers 请求头 (JSON): an API client's token and the purpose (docs/access.md)</label>
    <input id="h" value='{"authorization": "Bearer PASTE_A_TOKEN_HERE", "x-purpose": "ELIGIBILITY_REVIEW"}'>
    <button id="run">Run 执行</button>
  </div>
  <div class="col"><label>Result 结果</label><pre id="out"></pre></div>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
