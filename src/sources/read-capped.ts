/**
 * A response body as text, refused as soon as it passes `maxBytes` (a declared length first):
 * a hostile or broken server streaming gigabytes must not fill the worker's memory before
 * JSON.parse could refuse it. `tooLarge` makes the error its caller speaks in.
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  if (Number(response.headers.get('content-length')) > maxBytes) throw tooLarge();
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    size += step.value.byteLength;
    if (size > maxBytes) {
      // Stop the download; the cancel's own outcome does not matter any more.
      void reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(step.value, { stream: true });
  }
  return text + decoder.decode();
}
