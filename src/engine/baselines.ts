// Chapter 1's baseline before any neural network: classify a digit by how dark it is. For each
// digit, the average darkness (sum of pixel values) of its training images; a test image gets the
// digit whose average is nearest its own darkness (the book's mnist_average_darkness.py).
import { IMAGE_PIXELS, type DataSplit } from './data';

function darkness(images: Uint8Array, i: number): number {
  let s = 0;
  for (let k = i * IMAGE_PIXELS; k < (i + 1) * IMAGE_PIXELS; k++) s += images[k];
  return s;
}

/** The average darkness of each digit's training images (NaN for a digit with none). */
export function averageDarkness(train: DataSplit): number[] {
  const sum = new Array<number>(10).fill(0);
  const count = new Array<number>(10).fill(0);
  for (let i = 0; i < train.count; i++) {
    sum[train.labels[i]] += darkness(train.images, i);
    count[train.labels[i]]++;
  }
  return sum.map((s, d) => s / count[d]);
}

/** The digit whose average darkness is nearest the image's (the first on a tie, as the book's min). */
export function guessByDarkness(averages: number[], images: Uint8Array, i: number): number {
  const d = darkness(images, i);
  let best = -1;
  for (let digit = 0; digit < 10; digit++) {
    if (Number.isNaN(averages[digit])) continue; // no training image of this digit
    if (best < 0 || Math.abs(averages[digit] - d) < Math.abs(averages[best] - d)) best = digit;
  }
  return best;
}

/** How many of `test`'s images the average-darkness baseline gets right. */
export function darknessCorrect(train: DataSplit, test: DataSplit): number {
  const averages = averageDarkness(train);
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (guessByDarkness(averages, test.images, i) === test.labels[i]) correct++;
  return correct;
}
