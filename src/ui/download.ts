/** Save text as a file through a temporary object URL (no downloads permission needed). */
export function downloadText(filename: string, text: string, type: string): void {
  // Resolves when the URL is let go and never rejects: there is nothing to wait for here.
  void downloadBlob(filename, new Blob([text], { type }));
}

/**
 * Save a Blob (an export in memory, or a File on disk) as a file, the same way. The object
 * URL is revoked after `keepMs`, and the promise then resolves: from that time on the caller
 * may drop what the Blob reads from.
 */
export function downloadBlob(filename: string, blob: Blob, keepMs = 10_000): Promise<void> {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  return new Promise((resolve) =>
    setTimeout(() => {
      URL.revokeObjectURL(url);
      resolve();
    }, keepMs),
  );
}
