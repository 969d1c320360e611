/**
 * Seeded randomness for reproducible workloads: the same seed gives the same requests,
 * arrival times and think times on every machine.
 */

export class Seeded {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Exponentially distributed with the given mean (Poisson arrivals, think times). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}

const WORDS = (
  'account active address advice agent amount answer area article aspect balance basis bicycle ' +
  'board border branch budget button cable camera canvas carbon career center chance channel ' +
  'chapter charge circle client climate coast column comfort common company concept contract ' +
  'control corner course credit current customer damage data debate decade degree delivery ' +
  'design detail device dinner direct distance doctor driver effort element energy engine ' +
  'estate event evidence example factor family feature figure finance flight floor format ' +
  'future garden general growth habit harbor health history holiday image impact income ' +
  'index input island journey kitchen ladder language layer leader lesson letter level ' +
  'library limit market master matter meeting member memory message method middle minute ' +
  'model moment monitor motion nature network notice number object office option order ' +
  'output owner package parent partner pattern payment period person picture planet player ' +
  'pocket policy portion position power practice present price process product profile ' +
  'project quality quarter question radio reason record region report request result river ' +
  'sample schedule science screen season second section sector service session shadow ' +
  'signal silver single sister skill source speaker station status storage story stream ' +
  'street student studio subject summer supply surface system table target teacher theory ' +
  'ticket timber topic tower traffic training travel trend update valley value version ' +
  'village visitor volume weather window winter worker writer'
).split(' ');

/** Seeded English-like text of about `tokens` tokens (one word is about 1.5 tokens). */
export function prose(random: Seeded, tokens: number): string {
  const words: string[] = [];
  const count = Math.max(1, Math.round(tokens / 1.5));
  for (let i = 0; i < count; i++) {
    let word = random.pick(WORDS);
    if (i === 0 || words[i - 1]!.endsWith('.')) word = word[0]!.toUpperCase() + word.slice(1);
    if (i % 12 === 11 || i === count - 1) word += '.';
    words.push(word);
  }
  return words.join(' ');
}
