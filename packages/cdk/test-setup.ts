import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** Removes the cloud assemblies the CDK suites wrote (CDK_OUTDIR) once they are done. */
export default function setup(project: TestProject): () => void {
  const outdir = project.config.env.CDK_OUTDIR;
  return () => {
    if (typeof outdir === 'string') rmSync(outdir, { recursive: true, force: true });
  };
}
