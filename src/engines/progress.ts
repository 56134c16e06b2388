/** Where installation and start steps report what they are doing (one line each; the CLI writes them to stderr). */
export type Progress = (line: string) => void;
