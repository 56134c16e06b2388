/** A fenced code block the README marks as runnable with `<!-- readme-test: run -->` on the line before it. */
export interface ReadmeExample {
  language: 'sh' | 'python';
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  code: string;
  /** The outputs the README shows: comment lines right below a code line (`…` stands for anything). */
  expected: string[];
}

const MARKER = '<!-- readme-test: run -->';

/** The runnable examples of a Markdown document, in document order. */
export function readmeExamples(markdown: string): ReadmeExample[] {
  const lines = markdown.split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== MARKER) continue;
    const fence = /^```(sh|bash|python)\s*$/.exec(lines[i + 1] ?? '');
    if (!fence) throw new Error(`README line ${i + 1}: ${MARKER} must be followed by a \`\`\`sh or \`\`\`python block`);
    const end = lines.indexOf('```', i + 2);
    if (end < 0) throw new Error(`README line ${i + 2}: the code block is not closed`);
    const code = lines.slice(i + 2, end);
    examples.push({ language: fence[1] === 'python' ? 'python' : 'sh', line: i + 2, code: code.join('\n'), expected: expectedOutputs(code) });
    i = end;
  }
  return examples;
}

/**
 * Comment lines that directly follow a code line (no blank line between) show that code's
 * output; a comment after a blank line or an assignment, or first in a block, is prose.
 */
function expectedOutputs(code: string[]): string[] {
  const expected: string[] = [];
  let afterCode = false;
  for (const line of code) {
    const comment = /^# ?(.*)$/.exec(line);
    if (comment) {
      if (afterCode) expected.push(comment[1]!);
      continue;
    }
    // A bare assignment (Q=http://…) prints nothing, so a comment below it is prose.
    afterCode = line.trim() !== '' && !/^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(line.trim());
  }
  return expected;
}

/**
 * Looks for each expected output in `output`, each after the previous one, `…` matching anything
 * on a line. Answers those found and the first one missing.
 */
export function findExpectedOutputs(expected: string[], output: string): { found: string[]; missing?: string } {
  let from = 0;
  const found: string[] = [];
  for (const text of expected) {
    const pattern = new RegExp(text.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\n]*?'));
    const match = pattern.exec(output.slice(from));
    if (!match) return { found, missing: text };
    from += match.index + match[0].length;
    found.push(text);
  }
  return { found };
}
