import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, jsonForScript, rawHtml, scriptText } from './html.ts';

test('html escapes every interpolated string', () => {
  const hostile = `<script>alert("x")</script> & 'quote'`;
  assert.equal(
    html`<td>${hostile}</td>`.html,
    '<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39;</td>',
  );
  assert.equal(escapeHtml('a<b'), 'a&lt;b');
});

test('html passes SafeHtml through, joins arrays and drops null, undefined and false', () => {
  const inner = html`<b>${'<i>'}</b>`;
  assert.equal(
    html`<p>${inner}${[1, html`<i>y</i>`, '<x>']}${null}${undefined}${false}${0}</p>`.html,
    '<p><b>&lt;i&gt;</b>1<i>y</i>&lt;x&gt;0</p>',
  );
  assert.equal(html`${rawHtml('<hr>')}`.html, '<hr>');
});

test('jsonForScript cannot close its script element or open a comment', () => {
  const text = jsonForScript({ v: '</script><script>alert(1)</script><!--', s: '\u2028' });
  assert.ok(!text.includes('<'));
  assert.ok(!text.includes('\u2028'));
  assert.deepEqual(JSON.parse(text), { v: '</script><script>alert(1)</script><!--', s: '\u2028' });
});

test('scriptText escapes a closing script tag inside bundled code', () => {
  assert.equal(scriptText('const s = "</script>";').html, 'const s = "<\\/script>";');
});
