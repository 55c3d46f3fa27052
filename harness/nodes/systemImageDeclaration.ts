// What a system declares it needs on its nodes (SystemDefinition `image`): types only, so the plug-in API can
// name them without importing the image builder (harness/nodes/systemImage.ts).

/** One file a system puts on its nodes. */
export interface SystemImageFile {
  /** A local file: a file: URL (`new URL('./x', import.meta.url)`), an absolute path, or a path relative to the system's module. */
  from: string | URL;
  /** The absolute path on the node. */
  to: string;
  /** Permission bits, e.g. 0o755. Default 0o644. */
  mode?: number;
}

/** What a system needs on its nodes beyond the base node image (see docs/plugin-tutorial.md). */
export interface SystemImage {
  /** Debian bookworm package names (optionally `name=version`), installed with apt-get. */
  packages?: string[];
  files?: SystemImageFile[];
  /** Shell lines run as root after the packages and files, in order (each one `RUN` of the image build). */
  run?: string[];
}
