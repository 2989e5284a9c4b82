// Reads a JSON array of LogQL expressions on stdin and prints a JSON array of
// {expr, error} for those Grafana's LogQL grammar (@grafana/lezer-logql) cannot parse.
import { parser } from '@grafana/lezer-logql';

let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const failures = [];
  for (const expr of JSON.parse(input)) {
    const tree = parser.parse(expr);
    let error = null;
    tree.iterate({
      enter: (node) => {
        if (node.type.isError && error === null) {
          error = `syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`;
        }
      },
    });
    if (error) failures.push({ expr, error });
  }
  process.stdout.write(JSON.stringify(failures));
});
