import { PreconditionError } from '../errors/precondition-error.ts';

/**
 * An attachment becomes a file in the job directory under its own name, so the name must be a
 * plain file name: not `.`/`..`, no `/` or `\`, no control characters (Genie answers 400).
 */
export function checkAttachmentName(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name.includes('..') || /[/\\\u0000-\u001f]/.test(name) || name.length > 255) {
    throw new PreconditionError(`Attachment name ${JSON.stringify(name)} is not a plain file name (no '/', '\\', '..'; 1 to 255 characters)`, { field: 'attachment' });
  }
  return name;
}
