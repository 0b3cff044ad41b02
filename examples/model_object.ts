/**
 * The model object: train, keep, reload and use a character model in a few lines.
 * `toModel()` keeps the end of the training stream as a `Model` (one copy of the
 * parameters, at completion); `save()`/`Model.load()` go through the checkpoint format.
 *
 * Run: deno task example:model
 *      deno run --allow-read=. --allow-write=. examples/model_object.ts
 */
import { lastValueFrom } from "rxjs";
import { charSamples, Model, TextStream, toModel, train, Vocab } from "../mod.ts";

const text = "the cat sat on the mat. ".repeat(50), vocab = Vocab.fromText(text);
const samples = charSamples(new TextStream(vocab.encode(text)), { limit: 6000 });
const options = {
  sizes: { nx: vocab.size, na: 32, ny: vocab.size },
  k1: 20,
  optimizer: { type: "adam" as const, learningRate: 0.01 },
};
const model = await lastValueFrom(samples.pipe(train(options), toModel({ vocab })));
await model.save("model.ckpt");
const again = await Model.load("model.ckpt");
console.log(again.generate({ prime: "the ", length: 40, temperature: 0.5 }));
