// Reads the report's data island: plain JSON for small runs, gzip+base64 for big ones (inflated with the
// browser's own DecompressionStream: nothing is fetched).
import type { ReportData } from '../model.ts';
import { reportElementIds } from '../model.ts';

async function gunzipBase64(base64: string): Promise<string> {
  const binary = atob(base64.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

export async function loadReportData(): Promise<ReportData> {
  const plain = document.getElementById(reportElementIds.data);
  if (plain?.textContent != null && plain.textContent !== '') return JSON.parse(plain.textContent) as ReportData;
  const packed = document.getElementById(reportElementIds.dataGzip);
  if (packed?.textContent == null) throw new Error('the report has no data island');
  return JSON.parse(await gunzipBase64(packed.textContent)) as ReportData;
}
