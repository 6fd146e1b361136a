/**
 * Wrapping help text to the terminal's usual width.
 *
 * @module
 */

/** The width help text is wrapped to. */
export const HELP_WIDTH = 80;

/**
 * Re-flows `text` to lines of at most `width` columns: each paragraph (lines between blank
 * lines) is joined and wrapped at spaces; lines that start with a space (examples, tables) are
 * kept as they are. A word longer than the width gets a line of its own.
 */
export function wrapText(text: string, width: number = HELP_WIDTH): string {
  const out: string[] = [];
  let words: string[] = [];
  const flush = () => {
    if (words.length > 0) out.push(...wrapWords(words, width, ""));
    words = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^\s/.test(line)) {
      flush();
      out.push(line);
    } else {
      words.push(...line.split(/\s+/).filter(Boolean));
    }
  }
  flush();
  return out.join("\n");
}

/**
 * `left` followed by `text` wrapped to `width`, continuation lines indented to `indent`
 * columns (a hanging indent, as in an option list). `left` is padded to `indent`; when it is
 * longer, the text starts on the next line.
 */
export function hangingLines(
  left: string,
  text: string,
  indent: number,
  width: number = HELP_WIDTH,
): string[] {
  const pad = " ".repeat(indent);
  const lines = wrapWords(text.split(/\s+/).filter(Boolean), width, pad);
  if (left.length >= indent) return [left, ...lines];
  return [left.padEnd(indent) + (lines[0] ?? "").slice(indent), ...lines.slice(1)];
}

function wrapWords(words: string[], width: number, pad: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? pad + word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
