/**
 * Child process of bench/token: the cached-token baseline. A bare Node script that reads one file
 * (the connection's state document) and prints one line of it: what any "read a token from disk"
 * costs, Node's start-up included.
 */
import { readFileSync } from "node:fs";

const text = readFileSync(process.env["BENCH_FILE"] ?? "", "utf8");
process.stdout.write(`${text.length}\n`);
