import pc from "picocolors";
import { main } from "../../src/cli/main.ts";

/** Runs the CLI in process, capturing its output without colours. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), colors: pc.createColors(false) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
