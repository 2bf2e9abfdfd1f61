/**
 * For the metrics tests of the kit and of both servers: the sample lines of a Prometheus
 * exposition text, by their name and labels as written.
 */
export function samples(text: string) {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    found.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return found;
}
