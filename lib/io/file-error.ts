/**
 * A file the user named could not be read or written to the end (a cut-short `.gz`, a full disk). Its
 * message names the file and what went wrong; the CLI prints it as its one line before exit code 1,
 * without a stack trace, since nothing in the program is at fault.
 */
export class FileError extends Error {
  override readonly name = 'FileError';
}
